package minitrain.autograd;

/**
 * What a step costs, counted where the work happens: matrix-product FLOPs (2 M N K for every product the
 * forward and backward passes compute, from the actual shapes) and operations recorded (every output an
 * operation creates). {@code bin/minitrain bench} reads them; they cost two additions per operation.
 * Operations are called from one thread (the kernels' row-parallel loops never create tensors).
 */
public final class Counters {

    static long flops, ops;

    /** -Dminitrain.profile=true: time per operation kind, forward and backward (bench --profile prints it). */
    static final boolean PROFILE = Boolean.getBoolean("minitrain.profile");
    static final java.util.Map<String, long[]> TIMES = new java.util.TreeMap<>();
    private static long mark = System.nanoTime();

    private Counters() {}

    /** Forward: the time since the previous operation finished is this operation's (approximately). */
    static void forward(String op) {
        long now = System.nanoTime();
        TIMES.computeIfAbsent(op, k -> new long[2])[0] += now - mark;
        mark = now;
    }

    static void backward(String op, long nanos) {
        TIMES.computeIfAbsent(op, k -> new long[2])[1] += nanos;
        mark = System.nanoTime();
    }

    /** Milliseconds {forward, backward} per operation kind since the last reset. */
    public static java.util.Map<String, long[]> times() {
        return TIMES;
    }

    public static void resetTimes() {
        TIMES.clear();
        mark = System.nanoTime();
    }

    public static long flops() {
        return flops;
    }

    public static long ops() {
        return ops;
    }

    static void product(long batch, long m, long k, long n) {
        flops += 2 * batch * m * k * n;
    }
}
