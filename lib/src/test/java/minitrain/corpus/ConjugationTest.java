package minitrain.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Hand-checked forms, written from grammar references and not from the code: each row is
 * English verb | tense | person | English phrase | Spanish phrase (subjects left out).
 * Both sides of every row are checked, so the table holds twice as many forms as rows.
 */
class ConjugationTest {

    static final String[] ROWS = {
        // English irregulars and the Spanish irregular core
        "be|present|1sg|am|soy", "be|present|3sg|is|es", "be|preterite|2pl|were|fuisteis",
        "be|imperfect|1pl|used to be|éramos", "be|present_perfect|3sg|has been|ha sido",
        "go|preterite|3sg|went|fue", "go|imperfect|1pl|used to go|íbamos",
        "go|present_progressive|1sg|am going|estoy yendo",
        "go|present|1sg|go|voy", "go|present_perfect|3pl|have gone|han ido",
        "have|present|3sg|has|tiene", "have|preterite|1sg|had|tuve", "have|future|1sg|will have|tendré",
        "do|present|3sg|does|hace", "do|preterite|3sg|did|hizo", "do|present_perfect|1sg|have done|he hecho",
        "do|conditional|2pl|would do|haríais",
        "say|present|1sg|say|digo", "say|preterite|3pl|said|dijeron", "say|future|1pl|will say|diremos",
        "say|past_perfect|2sg|had said|habías dicho", "say|present_progressive|3pl|are saying|están diciendo",
        "come|present|1sg|come|vengo", "come|preterite|3sg|came|vino",
        "come|future_perfect|3pl|will have come|habrán venido",
        "come|past_progressive|2sg|were coming|estabas viniendo", "come|conditional|1sg|would come|vendría",
        "put|present|1sg|put|pongo", "put|preterite|1sg|put|puse", "put|present_perfect|1pl|have put|hemos puesto",
        "put|present_progressive|1sg|am putting|estoy poniendo",
        "see|preterite|3sg|saw|vio", "see|imperfect|1sg|used to see|veía",
        "see|present_perfect|2sg|have seen|has visto",
        "see|present_progressive|3sg|is seeing|está viendo",
        "give|present|1sg|give|doy", "give|preterite|1sg|gave|di", "give|preterite|3pl|gave|dieron",
        "know|present|1sg|know|sé", "know|preterite|3sg|knew|supo", "know|future|1sg|will know|sabré",
        "want|present|2sg|want|quieres", "want|preterite|1sg|wanted|quise", "want|future|3pl|will want|querrán",
        "be able|present|1sg|am able|puedo", "be able|preterite|3sg|was able|pudo",
        "be able|future|1pl|will be able|podremos", "be able|present_perfect|3sg|has been able|ha podido",
        "fit|present|1sg|fit|quepo", "fit|preterite|1sg|fit|cupe", "fit|future|2sg|will fit|cabrás",
        "be worth|present|1sg|am worth|valgo", "be worth|conditional|3sg|would be worth|valdría",
        "leave|present|1sg|leave|salgo", "leave|future|3sg|will leave|saldrá", "leave|preterite|1sg|left|salí",
        "bring|present|1sg|bring|traigo", "bring|preterite|3pl|brought|trajeron",
        "bring|present_progressive|1pl|are bringing|estamos trayendo",
        "fall|present|1sg|fall|caigo", "fall|preterite|3sg|fell|cayó", "fall|present_perfect|1sg|have fallen|he caído",
        "fall|preterite|2sg|fell|caíste",
        "hear|present|2sg|hear|oyes", "hear|preterite|3pl|heard|oyeron", "hear|future|1sg|will hear|oiré",
        "hear|present_perfect|3sg|has heard|ha oído", "hear|present|1pl|hear|oímos",
        "walk around|preterite|1sg|walked around|anduve", "walk around|preterite|3pl|walked around|anduvieron",
        "agree|preterite|1sg|agreed|estuve de acuerdo", "agree|present|2pl|agree|estáis de acuerdo",
        "hold|present|1sg|hold|sostengo", "hold|preterite|3sg|held|sostuvo", "hold|future|3sg|will hold|sostendrá",
        "undo|preterite|3sg|undid|deshizo", "undo|present_perfect|1sg|have undone|he deshecho",
        "suppose|preterite|1sg|supposed|supuse", "suppose|past_perfect|1sg|had supposed|había supuesto",
        "intervene|present|1sg|intervene|intervengo", "intervene|preterite|3sg|intervened|intervino",
        "attract|preterite|1sg|attracted|atraje", "attract|present_perfect|3sg|has attracted|ha atraído",
        // Spanish stem changes
        "think|present|1sg|think|pienso", "think|present|1pl|think|pensamos", "think|preterite|3sg|thought|pensó",
        "sleep|present|3sg|sleeps|duerme", "sleep|preterite|3sg|slept|durmió", "sleep|preterite|1sg|slept|dormí",
        "sleep|present_progressive|1sg|am sleeping|estoy durmiendo",
        "die|preterite|3pl|died|murieron", "die|present_perfect|3sg|has died|ha muerto",
        "die|present_progressive|3sg|is dying|está muriendo",
        "feel|present|1sg|feel|siento", "feel|preterite|3sg|felt|sintió",
        "feel|present_progressive|2sg|are feeling|estás sintiendo",
        "ask for|present|1sg|ask for|pido", "ask for|preterite|3sg|asked for|pidió",
        "ask for|present_progressive|3pl|are asking for|están pidiendo",
        "repeat|present|3sg|repeats|repite", "serve|preterite|3pl|served|sirvieron",
        "play|present|1sg|play|juego", "play|present|1pl|play|jugamos", "play|preterite|1sg|played|jugué",
        "tell|present|3pl|tell|cuentan", "find|present|1sg|find|encuentro", "fly|present|3sg|flies|vuela",
        "lose|present|2sg|lose|pierdes", "understand|present|3sg|understands|entiende",
        "begin|present|1sg|begin|empiezo",
        "prefer|present|3sg|prefers|prefiere", "prefer|preterite|3sg|preferred|prefirió",
        "lie|present|1sg|lie|miento", "lie|present_progressive|1sg|am lying|estoy mintiendo",
        "remember|present|1sg|remember|recuerdo", "taste|present|3sg|tastes|prueba",
        "boil|preterite|3sg|boiled|hirvió", "warn|present|1sg|warn|advierto",
        // spelling changes that keep a sound
        "seek|preterite|1sg|sought|busqué", "seek|preterite|3sg|sought|buscó", "touch|preterite|1sg|touched|toqué",
        "arrive|preterite|1sg|arrived|llegué", "pay|preterite|1sg|paid|pagué", "deny|preterite|1sg|denied|negué",
        "deny|present|3sg|denies|niega", "hang|present|1sg|hang|cuelgo", "hang|preterite|1sg|hung|colgué",
        "begin|preterite|1sg|began|empecé", "eat lunch|preterite|1sg|ate lunch|almorcé",
        "eat lunch|present|1sg|eat lunch|almuerzo",
        "throw|preterite|1sg|threw|lancé", "force|present|1sg|force|fuerzo",
        "pick|present|1sg|pick|escojo", "protect|present|1sg|protect|protejo", "lead|present|1sg|lead|dirijo",
        "choose|present|1sg|choose|elijo", "choose|present|2sg|choose|eliges", "choose|preterite|3sg|chose|eligió",
        "correct|present|1sg|correct|corrijo",
        "follow|present|1sg|follow|sigo", "follow|present|2sg|follow|sigues", "follow|preterite|3pl|followed|siguieron",
        "follow|present_progressive|1sg|am following|estoy siguiendo", "distinguish|present|1sg|distinguish|distingo",
        "meet|present|1sg|meet|conozco", "grow|present|1sg|grow|crezco", "offer|present|1sg|offer|ofrezco",
        // -ducir, -uir and vowel stems
        "drive|present|1sg|drive|conduzco", "drive|preterite|1sg|drove|conduje", "drive|preterite|3pl|drove|condujeron",
        "translate|preterite|3sg|translated|tradujo",
        "build|present|1sg|build|construyo", "build|present|1pl|build|construimos",
        "build|preterite|3sg|built|construyó",
        "build|preterite|1sg|built|construí", "build|present_progressive|1sg|am building|estoy construyendo",
        "build|present_perfect|1sg|have built|he construido",
        "read|preterite|3sg|read|leyó", "read|preterite|2sg|read|leíste", "read|present_perfect|1sg|have read|he leído",
        "read|present_progressive|3pl|are reading|están leyendo", "believe|preterite|3pl|believed|creyeron",
        // irregular participles
        "write|present_perfect|1sg|have written|he escrito", "break|present_perfect|3sg|has broken|ha roto",
        "open|past_perfect|1pl|had opened|habíamos abierto", "come back|present_perfect|1sg|have come back|he vuelto",
        "give back|past_perfect|3pl|had given back|habían devuelto",
        "solve|present_perfect|2pl|have solved|habéis resuelto",
        "cover|present_perfect|1sg|have covered|he cubierto",
        "discover|present_perfect|1sg|have discovered|he descubierto",
        "describe|present_perfect|1sg|have described|he descrito",
        // English spelling rules
        "stop|preterite|1sg|stopped|paré", "stop|present_progressive|1sg|am stopping|estoy parando",
        "try|preterite|1sg|tried|intenté", "try|present|3sg|tries|intenta",
        "study|present|3sg|studies|estudia", "study|present_progressive|1sg|am studying|estoy estudiando",
        "panic|preterite|1sg|panicked|entré en pánico",
        "panic|present_progressive|3pl|are panicking|están entrando en pánico",
        "dance|present_progressive|1sg|am dancing|estoy bailando", "watch|present|3sg|watches|mira",
        "fix|present|3sg|fixes|arregla", "visit|preterite|1sg|visited|visité",
        "prefer|present_perfect|1sg|have preferred|he preferido",
        "swim|present_progressive|1sg|am swimming|estoy nadando", "tie|present_progressive|1sg|am tying|estoy atando",
        "plan|preterite|3sg|planned|planeó", "travel|preterite|1sg|traveled|viajé",
        "enjoy|present|3sg|enjoys|disfruta", "carry|present|3sg|carries|carga",
        "add|future_perfect|1sg|will have added|habré añadido",
        "work|past_progressive|2pl|were working|estabais trabajando",
        "walk|present_perfect|3pl|have walked|han caminado", "walk|imperfect|1sg|used to walk|caminaba",
        "live|future|2pl|will live|viviréis", "learn|conditional|1pl|would learn|aprenderíamos",
    };

    @Test
    void handCheckedFormsMatch() {
        Map<String, Verb> lexicon = Lexicon.load().stream().collect(Collectors.toMap(Verb::en, Function.identity()));
        List<String> wrong = new ArrayList<>();
        for (String row : ROWS) {
            String[] f = row.split("\\|");
            Verb v = lexicon.get(f[0]);
            if (v == null) { wrong.add("no verb " + f[0]); continue; }
            Tense t = Tense.fromKey(f[1]);
            Person p = Person.fromKey(f[2]);
            String en = EnglishConjugator.conjugate(v, t, p), es = SpanishConjugator.conjugate(v, t, p);
            if (!en.equals(f[3])) wrong.add(row + ": English gave \"" + en + "\"");
            if (!es.equals(f[4])) wrong.add(row + ": Spanish gave \"" + es + "\"");
        }
        assertTrue(ROWS.length * 2 >= 300, "at least 150 hand-checked forms: " + ROWS.length * 2);
        assertEquals(List.of(), wrong);
    }

    @Test
    void lexiconCoversTheRequiredClasses() {
        List<Verb> verbs = Lexicon.load();
        assertTrue(verbs.size() >= 250, "verbs: " + verbs.size());
        long irregularEnglish = verbs.stream().filter(v -> v.past() != null).count();
        assertTrue(irregularEnglish >= 60, "irregular English verbs: " + irregularEnglish);
        for (String flag : List.of("ie", "ue", "i", "u>ue")) {
            assertTrue(verbs.stream().anyMatch(v -> v.has(flag)), "no Spanish verb with stem change " + flag);
        }
        for (String ending : List.of("car", "gar", "zar", "ger", "gir", "guir", "uir", "ducir")) {
            assertTrue(verbs.stream().anyMatch(v -> v.es().split(" ")[0].endsWith(ending)), "no -" + ending + " verb");
        }
        for (String core : List.of("ser", "ir", "tener", "hacer", "decir", "poder", "poner", "querer", "saber",
                "venir", "ver", "dar", "traer", "salir", "oír", "caber", "valer", "caer", "andar",
                "estar de acuerdo")) {
            assertTrue(verbs.stream().anyMatch(v -> v.es().equals(core)), "missing core verb " + core);
        }
    }
}
