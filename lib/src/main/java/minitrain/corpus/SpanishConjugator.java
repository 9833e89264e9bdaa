package minitrain.corpus;

import static minitrain.corpus.SpanishIrregulars.*;

/**
 * Spanish verb phrases for each tense and person. Regular endings, then the rules that change them:
 * stem changes (e>ie, o>ue, e>i, u>ue), spelling changes that keep a sound (busqué, llegué, empecé,
 * escojo, sigo), -cer/-cir (conozco), -ducir (conduje), -uir (construyo) and vowel stems (leyó, caído).
 * The irregular core is in {@link SpanishIrregulars}.
 */
public final class SpanishConjugator {

    private SpanishConjugator() {}

    static final String[] HABER_IMPERFECT = {"había", "habías", "había", "habíamos", "habíais", "habían"};
    static final String[] ESTAR_IMPERFECT = {"estaba", "estabas", "estaba", "estábamos", "estabais", "estaban"};
    static final String[] FUTURE_ENDINGS = {"é", "ás", "á", "emos", "éis", "án"};
    static final String[] CONDITIONAL_ENDINGS = {"ía", "ías", "ía", "íamos", "íais", "ían"};

    public static String pronoun(Person p, boolean she) {
        return switch (p) {
            case P1SG -> "yo";
            case P2SG -> "tú";
            case P3SG -> she ? "ella" : "él";
            case P1PL -> "nosotros";
            case P2PL -> "vosotros";
            case P3PL -> "ellos";
        };
    }

    /** The verb phrase without its subject, e.g. "he caminado", "estoy de acuerdo". */
    public static String conjugate(Verb v, Tense t, Person p) {
        int space = v.es().indexOf(' ');
        String head = space < 0 ? v.es() : v.es().substring(0, space);
        String rest = space < 0 ? "" : v.es().substring(space);
        String prefix = "";
        String verb = head;
        if (v.base() != null) { // mantener = man + tener: conjugate tener, put "man" back in front
            prefix = head.substring(0, head.length() - v.base().length());
            verb = v.base();
        }
        int i = p.ordinal();
        String form = switch (t) {
            case PRESENT -> prefix + present(verb, v, i);
            case PRETERITE -> prefix + preterite(verb, v, i);
            case IMPERFECT -> prefix + imperfect(verb, i);
            case FUTURE -> prefix + futureStem(verb) + FUTURE_ENDINGS[i];
            case CONDITIONAL -> prefix + futureStem(verb) + CONDITIONAL_ENDINGS[i];
            case PRESENT_PERFECT -> PRESENT.get("haber")[i] + " " + prefix + participle(verb, v);
            case PAST_PERFECT -> HABER_IMPERFECT[i] + " " + prefix + participle(verb, v);
            case FUTURE_PERFECT -> "habr" + FUTURE_ENDINGS[i] + " " + prefix + participle(verb, v);
            case PRESENT_PROGRESSIVE -> PRESENT.get("estar")[i] + " " + prefix + gerund(verb, v);
            case PAST_PROGRESSIVE -> ESTAR_IMPERFECT[i] + " " + prefix + gerund(verb, v);
        };
        return form + rest;
    }

    // ---- present -------------------------------------------------------------------------------------

    static String present(String inf, Verb v, int i) {
        if (PRESENT.containsKey(inf)) return PRESENT.get(inf)[i];
        String ending = inf.substring(inf.length() - 2);
        String stem = inf.substring(0, inf.length() - 2);
        boolean boot = i == 0 || i == 1 || i == 2 || i == 5; // the stressed stem: yo, tú, él, ellos
        if (boot) stem = stemChange(stem, v);
        if (inf.endsWith("uir") && !inf.endsWith("guir") && boot) stem = stem + "y"; // construyo
        if (i == 0) stem = firstSingularSpelling(inf, stem);
        String[] endings = switch (ending) {
            case "ar" -> new String[] {"o", "as", "a", "amos", "áis", "an"};
            case "er" -> new String[] {"o", "es", "e", "emos", "éis", "en"};
            default -> new String[] {"o", "es", "e", "imos", "ís", "en"};
        };
        return stem + endings[i];
    }

    /** yo-form spelling changes that keep the consonant's sound before -o. */
    static String firstSingularSpelling(String inf, String stem) {
        if (inf.endsWith("guir")) return stem.substring(0, stem.length() - 1);       // sigo, distingo
        if (inf.endsWith("ger") || inf.endsWith("gir"))
            return stem.substring(0, stem.length() - 1) + "j";                       // escojo, elijo
        if ((inf.endsWith("cer") || inf.endsWith("cir")) && stem.length() > 1
                && isVowel(stem.charAt(stem.length() - 2)))
            return stem.substring(0, stem.length() - 1) + "zc";                      // conozco, conduzco
        return stem;
    }

    /** e>ie, o>ue, e>i, u>ue on the last vowel of the stem (a u written after g or q is not a vowel). */
    static String stemChange(String stem, Verb v) {
        String to;
        char from;
        if (v.has("ie")) { from = 'e'; to = "ie"; }
        else if (v.has("ue")) { from = 'o'; to = "ue"; }
        else if (v.has("i")) { from = 'e'; to = "i"; }
        else if (v.has("u>ue")) { from = 'u'; to = "ue"; }
        else return stem;
        return replaceLastVowel(stem, from, to);
    }

    /** -ir stem changers in the preterite's third persons and the gerund: e>i, o>u (sintió, durmiendo). */
    static String weakStemChange(String inf, String stem, Verb v) {
        if (!inf.endsWith("ir")) return stem;
        if (v.has("ie") || v.has("i")) return replaceLastVowel(stem, 'e', "i");
        if (v.has("ue")) return replaceLastVowel(stem, 'o', "u");
        return stem;
    }

    static String replaceLastVowel(String stem, char from, String to) {
        for (int k = stem.length() - 1; k >= 0; k--) {
            char c = stem.charAt(k);
            if (!isVowel(c)) continue;
            if (c == 'u' && k > 0 && (stem.charAt(k - 1) == 'g' || stem.charAt(k - 1) == 'q')) continue;
            if (c != from) return stem; // the stressed vowel is another one: nothing to change
            return stem.substring(0, k) + to + stem.substring(k + 1);
        }
        return stem;
    }

    // ---- preterite -----------------------------------------------------------------------------------

    static String preterite(String inf, Verb v, int i) {
        if (PRETERITE.containsKey(inf)) return PRETERITE.get(inf)[i];
        String strong = STRONG_PRETERITE.get(inf);
        if (strong == null && inf.endsWith("ducir")) strong = inf.substring(0, inf.length() - 3) + "j"; // conduj
        if (strong != null) {
            boolean j = strong.endsWith("j"); // after j the ending -ieron loses its i: dijeron, condujeron
            String[] e = {"e", "iste", "o", "imos", "isteis", j ? "eron" : "ieron"};
            return strong + e[i];
        }
        String ending = inf.substring(inf.length() - 2);
        String stem = inf.substring(0, inf.length() - 2);
        if (ending.equals("ar")) {
            if (i == 0) { // busqué, llegué, empecé: keep the sound before é
                if (stem.endsWith("c")) stem = stem.substring(0, stem.length() - 1) + "qu";
                else if (stem.endsWith("g")) stem = stem + "u";
                else if (stem.endsWith("z")) stem = stem.substring(0, stem.length() - 1) + "c";
            }
            return stem + new String[] {"é", "aste", "ó", "amos", "asteis", "aron"}[i];
        }
        boolean uir = inf.endsWith("uir") && !inf.endsWith("guir");
        if (uir) return stem + new String[] {"í", "iste", "yó", "imos", "isteis", "yeron"}[i];
        if (!stem.isEmpty() && "aeo".indexOf(stem.charAt(stem.length() - 1)) >= 0) {
            // leí, leíste, leyó: the i between vowels is stressed (í) or becomes y
            return stem + new String[] {"í", "íste", "yó", "ímos", "ísteis", "yeron"}[i];
        }
        if (i == 2 || i == 5) stem = weakStemChange(inf, stem, v);
        return stem + new String[] {"í", "iste", "ió", "imos", "isteis", "ieron"}[i];
    }

    // ---- imperfect, future, non-finite forms ---------------------------------------------------------

    static String imperfect(String inf, int i) {
        if (IMPERFECT.containsKey(inf)) return IMPERFECT.get(inf)[i];
        String stem = inf.substring(0, inf.length() - 2);
        if (inf.endsWith("ar")) return stem + new String[] {"aba", "abas", "aba", "ábamos", "abais", "aban"}[i];
        if (inf.equals("oír")) stem = "o";
        return stem + new String[] {"ía", "ías", "ía", "íamos", "íais", "ían"}[i];
    }

    static String futureStem(String inf) {
        return FUTURE_STEM.getOrDefault(inf, inf);
    }

    static String participle(String inf, Verb v) {
        // The lexicon's participle (escrito, vuelto) wins; a prefixed verb takes its base's (su+puesto).
        if (v.ppEs() != null && v.base() == null) return v.ppEs();
        if (PARTICIPLE.containsKey(inf)) return PARTICIPLE.get(inf);
        return regularParticiple(inf);
    }

    static String regularParticiple(String inf) {
        if (inf.equals("oír")) return "oído";
        String stem = inf.substring(0, inf.length() - 2);
        if (inf.endsWith("ar")) return stem + "ado";
        if (!stem.isEmpty() && "aeo".indexOf(stem.charAt(stem.length() - 1)) >= 0) return stem + "ído"; // leído
        return stem + "ido";
    }

    static String gerund(String inf, Verb v) {
        if (GERUND.containsKey(inf)) return GERUND.get(inf);
        if (inf.equals("oír")) return "oyendo";
        String stem = inf.substring(0, inf.length() - 2);
        if (inf.endsWith("ar")) return stem + "ando";
        if (!stem.isEmpty() && isVowel(stem.charAt(stem.length() - 1))
                && !(stem.endsWith("gu") || stem.endsWith("qu"))) return stem + "yendo"; // leyendo, construyendo
        return weakStemChange(inf, stem, v) + "iendo";
    }

    private static boolean isVowel(char c) {
        return "aeiouáéíóú".indexOf(c) >= 0;
    }
}
