package minitrain.corpus;

/**
 * One line of the corpus: a verb conjugated in one tense and person, in English and in Spanish.
 * {@code text} is the exact string the language models see, e.g. "they walked → ellos caminaron".
 */
public record Record(String id, String verb, String verbEs, Tense tense, Person person,
                     String en, String es, String text, Split split) {

    /** The text separator between the English and the Spanish side. */
    public static final String ARROW = " → ";

    /** The held-out unit: a (verb, tense, person) triple is in exactly one split. */
    public String triple() {
        return verb + "|" + tense.key() + "|" + person.key();
    }
}
