package minitrain.autograd;

/**
 * What a step costs, counted where the work happens: matrix-product FLOPs (2 M N K for every product the
 * forward and backward passes compute, from the actual shapes) and operations recorded (every output an
 * operation creates). {@code bin/minitrain bench} reads them; they cost two additions per operation.
 * Operations are called from one thread (the kernels' row-parallel loops never create tensors).
 */
public final class Counters {

    static long flops, ops;

    private Counters() {}

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
