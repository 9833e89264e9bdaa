package minitrain;

/**
 * The check under every lab exercise. A lab ships with the answer left as {@code null}; running the check
 * then says so instead of failing, so the whole notebook still runs top to bottom. Once the learner writes
 * an answer, a wrong one stops the cell with the hint and a right one says so. The solutions notebooks
 * call the same check with the worked answer, so the tests prove every check can pass.
 */
public final class Exercise {

    private Exercise() {}

    /** Compares an answer with the expected value; doubles within a relative 1e-9, everything else by equals. */
    public static String check(String name, Object answer, Object expected, String hint) {
        if (answer == null) return "not answered yet: set " + name + " in the cell above, then run this check again";
        if (!same(answer, expected)) throw new AssertionError(name + " = " + answer + " is not right: " + hint);
        return "correct: " + name + " = " + answer;
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            if (isWhole(x) && isWhole(y)) return x.longValue() == y.longValue();
            double u = x.doubleValue(), v = y.doubleValue();
            return Math.abs(u - v) <= 1e-9 * Math.max(1, Math.max(Math.abs(u), Math.abs(v)));
        }
        return a.equals(b);
    }

    private static boolean isWhole(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte;
    }
}
