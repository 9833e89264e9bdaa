package minitrain.corpus;

/** Which part of the corpus a record belongs to. Models train on TRAIN only; DEV tunes; VAL decides. */
public enum Split {
    TRAIN, DEV, VAL;

    /** The name used in the JSONL files. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Split fromKey(String key) {
        for (Split s : values()) if (s.key().equals(key)) return s;
        return null;
    }
}
