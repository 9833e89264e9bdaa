package minitrain.corpus;

import java.util.Set;

/**
 * One lexicon entry. {@code en} and {@code es} may be phrases whose first word is the verb that
 * conjugates ("be able" / "poder", "agree" / "estar de acuerdo"); the rest of the phrase is kept as is.
 *
 * @param past    English past of the first word, or null when regular
 * @param pp      English past participle of the first word, or null when regular
 * @param flags   dbl, stat, ie, ue, i, u>ue (see verbs.tsv)
 * @param base    the irregular Spanish verb this one is a prefix of (mantener: tener), or null
 * @param ppEs    Spanish irregular participle override, or null
 */
public record Verb(String en, String past, String pp, String es, Set<String> flags, String base, String ppEs) {

    /** Stative verbs have no progressive tenses in English ("I am knowing" is not English). */
    public boolean stative() {
        return flags.contains("stat");
    }

    public boolean has(String flag) {
        return flags.contains(flag);
    }
}
