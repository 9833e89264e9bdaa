package minitrain.corpus;

/** Grammatical person and number, with the subject pronouns the corpus writes on both sides. */
public enum Person {
    P1SG("1sg"), P2SG("2sg"), P3SG("3sg"), P1PL("1pl"), P2PL("2pl"), P3PL("3pl");

    private final String key;

    Person(String key) {
        this.key = key;
    }

    /** The name used in the JSONL files, e.g. "3pl". */
    public String key() {
        return key;
    }

    public static Person fromKey(String key) {
        for (Person p : values()) if (p.key.equals(key)) return p;
        return null;
    }
}
