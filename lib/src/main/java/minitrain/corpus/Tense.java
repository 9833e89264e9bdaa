package minitrain.corpus;

/**
 * The tenses of the corpus, each with one fixed English/Spanish correspondence, so that a tense
 * name always means the same pair of forms (for example IMPERFECT is "used to walk" / "caminaba").
 */
public enum Tense {
    PRESENT, PRETERITE, IMPERFECT, FUTURE, CONDITIONAL,
    PRESENT_PERFECT, PAST_PERFECT, FUTURE_PERFECT, PRESENT_PROGRESSIVE, PAST_PROGRESSIVE;

    /** The name used in the JSONL files, e.g. "present_perfect". */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Tense fromKey(String key) {
        for (Tense t : values()) if (t.key().equals(key)) return t;
        return null;
    }
}
