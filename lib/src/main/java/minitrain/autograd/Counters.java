package minitrain.autograd;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What steps cost, counted where the work happens while this hook is installed ({@link OpHook#install}):
 * matrix-product FLOPs (2 M N K for every product the forward and backward passes compute, from the actual
 * shapes) and operations recorded (every output an operation creates). {@code bin/minitrain bench} makes one
 * and reads it. With {@code profile} on it also times each kind of operation, forward and backward.
 * Operations are called from one thread (the kernels' parallel parts never create tensors), so plain fields.
 */
public final class Counters implements OpHook {

    private long flops, ops;
    private final boolean profile;
    /** Nanoseconds {forward, backward} per operation kind, when profiling. */
    private final Map<String, long[]> times = new TreeMap<>();
    private long mark = System.nanoTime();

    /** @param profile also time each operation kind (bench --profile) */
    public Counters(boolean profile) {
        this.profile = profile;
    }

    /** Forward: the time since the previous operation finished is this operation's (approximately). */
    @Override
    public INDArray output(String op, INDArray value) {
        ops++;
        if (profile) {
            long now = System.nanoTime();
            times.computeIfAbsent(op, k -> new long[2])[0] += now - mark;
            mark = now;
        }
        return value;
    }

    @Override
    public void backward(String op, long nanos) {
        if (!profile) return;
        times.computeIfAbsent(op, k -> new long[2])[1] += nanos;
        mark = System.nanoTime();
    }

    @Override
    public void products(long batch, long m, long k, long n) {
        flops += 2 * batch * m * k * n;
    }

    /** Nanoseconds {forward, backward} per operation kind since {@link #resetTimes}; empty unless profiling. */
    public Map<String, long[]> times() {
        return Collections.unmodifiableMap(times);
    }

    public void resetTimes() {
        times.clear();
        mark = System.nanoTime();
    }

    public long flops() {
        return flops;
    }

    public long ops() {
        return ops;
    }
}
