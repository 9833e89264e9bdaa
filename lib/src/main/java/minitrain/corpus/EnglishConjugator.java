package minitrain.corpus;

/**
 * English verb phrases for each tense and person, with the spelling rules written out
 * (stopped, tried, making, lying, panicked, goes, watches, studies).
 */
public final class EnglishConjugator {

    private EnglishConjugator() {}

    public static String pronoun(Person p, boolean she) {
        return switch (p) {
            case P1SG -> "I";
            case P2SG -> "you";
            case P3SG -> she ? "she" : "he";
            case P1PL -> "we";
            case P2PL -> "you all";
            case P3PL -> "they";
        };
    }

    /** The verb phrase without its subject, e.g. "have walked", "used to go out". */
    public static String conjugate(Verb v, Tense t, Person p) {
        int space = v.en().indexOf(' ');
        String head = space < 0 ? v.en() : v.en().substring(0, space);
        String rest = space < 0 ? "" : v.en().substring(space);
        String phrase = switch (t) {
            case PRESENT -> present(head, p);
            case PRETERITE -> head.equals("be") ? wasWere(p) : past(v, head);
            case IMPERFECT -> "used to " + head;
            case FUTURE -> "will " + head;
            case CONDITIONAL -> "would " + head;
            case PRESENT_PERFECT -> (p == Person.P3SG ? "has " : "have ") + participle(v, head);
            case PAST_PERFECT -> "had " + participle(v, head);
            case FUTURE_PERFECT -> "will have " + participle(v, head);
            case PRESENT_PROGRESSIVE -> present("be", p) + " " + ing(v, head);
            case PAST_PROGRESSIVE -> wasWere(p) + " " + ing(v, head);
        };
        return phrase + rest;
    }

    static String present(String head, Person p) {
        if (head.equals("be")) {
            return switch (p) {
                case P1SG -> "am";
                case P3SG -> "is";
                default -> "are";
            };
        }
        return p == Person.P3SG ? thirdSingular(head) : head;
    }

    static String wasWere(Person p) {
        return p == Person.P1SG || p == Person.P3SG ? "was" : "were";
    }

    static String thirdSingular(String w) {
        if (w.equals("have")) return "has";
        if (w.endsWith("s") || w.endsWith("sh") || w.endsWith("ch") || w.endsWith("x") || w.endsWith("z")
                || w.endsWith("o")) return w + "es"; // goes, does, watches, fixes, kisses
        if (consonantY(w)) return w.substring(0, w.length() - 1) + "ies"; // studies, but plays
        return w + "s";
    }

    static String past(Verb v, String head) {
        return v.past() != null ? v.past() : regularPast(head, v.has("dbl"));
    }

    static String participle(Verb v, String head) {
        return v.pp() != null ? v.pp() : regularPast(head, v.has("dbl"));
    }

    static String regularPast(String w, boolean doubles) {
        if (w.endsWith("e")) return w + "d";                                   // danced, agreed, tied
        if (consonantY(w)) return w.substring(0, w.length() - 1) + "ied";      // tried, studied
        if (w.endsWith("ic")) return w + "ked";                                // panicked
        if (doubles) return w + w.charAt(w.length() - 1) + "ed";               // stopped, preferred
        return w + "ed";                                                       // visited, played
    }

    static String ing(Verb v, String w) {
        if (w.equals("be")) return "being";
        if (w.endsWith("ie")) return w.substring(0, w.length() - 2) + "ying";  // lying, dying, tying
        if (w.endsWith("ee") || w.endsWith("ye") || w.endsWith("oe")) return w + "ing"; // seeing, agreeing
        if (w.endsWith("e")) return w.substring(0, w.length() - 1) + "ing";   // making, dancing
        if (w.endsWith("ic")) return w + "king";                              // panicking
        if (v.has("dbl")) return w + w.charAt(w.length() - 1) + "ing";        // stopping, beginning
        return w + "ing";
    }

    private static boolean consonantY(String w) {
        return w.length() > 1 && w.endsWith("y") && "aeiou".indexOf(w.charAt(w.length() - 2)) < 0;
    }
}
