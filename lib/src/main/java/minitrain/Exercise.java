package minitrain;

/**
 * The check under every lab exercise. A lab ships with the answer left as {@code null}; running the check
 * then says so instead of failing, so the whole notebook still runs top to bottom. A wrong answer gets its
 * hint as the cell's result, never a stack trace: the hint points at what to fix. The solutions notebooks call
 * the same check with the worked answer, so the tests prove every check can pass.
 *
 * <p>Natural Java answers are accepted: an {@code int} where a {@code long} is expected (JShell boxes
 * {@code int} arithmetic as {@code Integer}), and a double within the tolerance the exercise states.
 */
public final class Exercise {

    private Exercise() {}

    /** Compares an answer with the expected value; doubles within a relative 1e-9, everything else by equals. */
    public static String check(String name, Object answer, Object expected, String hint) {
        if (answer == null) return notAnswered(name);
        if (!same(answer, expected, 1e-9 * Math.max(1, magnitude(expected)))) return wrong(name, answer, hint);
        return "correct: " + name + " = " + answer;
    }

    /** A number checked to within {@code tolerance} (absolute), for answers the learner rounds by hand. */
    public static String check(String name, Number answer, double expected, double tolerance, String hint) {
        if (answer == null) return notAnswered(name);
        if (Math.abs(answer.doubleValue() - expected) > tolerance) return wrong(name, answer, hint);
        return "correct: " + name + " = " + answer + " (expected " + expected + " within " + tolerance + ")";
    }

    public static String notAnswered(String name) {
        return "not answered yet: write " + name + " in the cell above, then run this check again";
    }

    public static String wrong(String name, Object answer, String hint) {
        return "not right yet: " + name + " = " + answer + ". " + hint;
    }

    private static boolean same(Object a, Object b, double tolerance) {
        if (a instanceof Number x && b instanceof Number y) {
            if (isWhole(x) && isWhole(y)) return x.longValue() == y.longValue();
            return Math.abs(x.doubleValue() - y.doubleValue()) <= tolerance;
        }
        return a.equals(b);
    }

    private static double magnitude(Object expected) {
        return expected instanceof Number n ? Math.abs(n.doubleValue()) : 0;
    }

    private static boolean isWhole(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte;
    }
}
