package minitrain.corpus;

import java.util.Map;

/**
 * The forms of Spanish's irregular core that no rule produces. Everything else (stem changes, spelling
 * changes, -uir, -ducir, vowel stems) is derived by {@link SpanishConjugator}.
 */
final class SpanishIrregulars {

    private SpanishIrregulars() {}

    /** Present indicative, yo..ellos. */
    static final Map<String, String[]> PRESENT = Map.ofEntries(
            Map.entry("ser", new String[] {"soy", "eres", "es", "somos", "sois", "son"}),
            Map.entry("estar", new String[] {"estoy", "estás", "está", "estamos", "estáis", "están"}),
            Map.entry("ir", new String[] {"voy", "vas", "va", "vamos", "vais", "van"}),
            Map.entry("haber", new String[] {"he", "has", "ha", "hemos", "habéis", "han"}),
            Map.entry("tener", new String[] {"tengo", "tienes", "tiene", "tenemos", "tenéis", "tienen"}),
            Map.entry("venir", new String[] {"vengo", "vienes", "viene", "venimos", "venís", "vienen"}),
            Map.entry("decir", new String[] {"digo", "dices", "dice", "decimos", "decís", "dicen"}),
            Map.entry("poder", new String[] {"puedo", "puedes", "puede", "podemos", "podéis", "pueden"}),
            Map.entry("querer", new String[] {"quiero", "quieres", "quiere", "queremos", "queréis", "quieren"}),
            Map.entry("poner", new String[] {"pongo", "pones", "pone", "ponemos", "ponéis", "ponen"}),
            Map.entry("hacer", new String[] {"hago", "haces", "hace", "hacemos", "hacéis", "hacen"}),
            Map.entry("salir", new String[] {"salgo", "sales", "sale", "salimos", "salís", "salen"}),
            Map.entry("valer", new String[] {"valgo", "vales", "vale", "valemos", "valéis", "valen"}),
            Map.entry("traer", new String[] {"traigo", "traes", "trae", "traemos", "traéis", "traen"}),
            Map.entry("caer", new String[] {"caigo", "caes", "cae", "caemos", "caéis", "caen"}),
            Map.entry("oír", new String[] {"oigo", "oyes", "oye", "oímos", "oís", "oyen"}),
            Map.entry("saber", new String[] {"sé", "sabes", "sabe", "sabemos", "sabéis", "saben"}),
            Map.entry("caber", new String[] {"quepo", "cabes", "cabe", "cabemos", "cabéis", "caben"}),
            Map.entry("ver", new String[] {"veo", "ves", "ve", "vemos", "veis", "ven"}),
            Map.entry("dar", new String[] {"doy", "das", "da", "damos", "dais", "dan"}));

    /** Preterites that are not a stem plus endings. */
    static final Map<String, String[]> PRETERITE = Map.of(
            "ser", new String[] {"fui", "fuiste", "fue", "fuimos", "fuisteis", "fueron"},
            "ir", new String[] {"fui", "fuiste", "fue", "fuimos", "fuisteis", "fueron"},
            "dar", new String[] {"di", "diste", "dio", "dimos", "disteis", "dieron"},
            "ver", new String[] {"vi", "viste", "vio", "vimos", "visteis", "vieron"},
            "hacer", new String[] {"hice", "hiciste", "hizo", "hicimos", "hicisteis", "hicieron"});

    /** Strong ("pretérito grave") stems: unstressed -e and -o endings, no accents (tuve, tuvo). */
    static final Map<String, String> STRONG_PRETERITE = Map.ofEntries(
            Map.entry("tener", "tuv"), Map.entry("estar", "estuv"), Map.entry("andar", "anduv"),
            Map.entry("poder", "pud"), Map.entry("poner", "pus"), Map.entry("saber", "sup"),
            Map.entry("caber", "cup"), Map.entry("querer", "quis"), Map.entry("venir", "vin"),
            Map.entry("haber", "hub"), Map.entry("decir", "dij"), Map.entry("traer", "traj"));

    static final Map<String, String[]> IMPERFECT = Map.of(
            "ser", new String[] {"era", "eras", "era", "éramos", "erais", "eran"},
            "ir", new String[] {"iba", "ibas", "iba", "íbamos", "ibais", "iban"},
            "ver", new String[] {"veía", "veías", "veía", "veíamos", "veíais", "veían"});

    /** Future and conditional stems that are not the infinitive. */
    static final Map<String, String> FUTURE_STEM = Map.ofEntries(
            Map.entry("tener", "tendr"), Map.entry("venir", "vendr"), Map.entry("poner", "pondr"),
            Map.entry("salir", "saldr"), Map.entry("valer", "valdr"), Map.entry("poder", "podr"),
            Map.entry("saber", "sabr"), Map.entry("caber", "cabr"), Map.entry("haber", "habr"),
            Map.entry("querer", "querr"), Map.entry("hacer", "har"), Map.entry("decir", "dir"),
            Map.entry("oír", "oir")); // the accent of oír falls away: oiré

    static final Map<String, String> PARTICIPLE = Map.of(
            "hacer", "hecho", "decir", "dicho", "ver", "visto", "poner", "puesto");

    static final Map<String, String> GERUND = Map.of(
            "ir", "yendo", "poder", "pudiendo", "decir", "diciendo", "venir", "viniendo");
}
