package minitrain.autograd;

import java.util.function.DoubleUnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rounds the output of every operation for a block: {@code try (var r = Rounding.every(HalfFloats::roundFp16)) {...}}.
 * It models a forward pass whose every intermediate tensor is stored in a 16-bit format while each operation
 * computes inside in wide precision (a fused kernel accumulating in fp32 and writing fp16). The drift lab
 * compares it with rounding at the layer boundaries only. Evaluation only: outputs are copies, never views.
 *
 * <p>{@link #everyWithProducts} also computes the matrix products (Linear, attention) in the format itself, with
 * ND4J's CPU kernel for it: the inputs cast to the format and every product and partial sum rounded to it, true
 * 16-bit arithmetic with no wide accumulator.
 */
public final class Rounding implements AutoCloseable {

    // For the whole process, not one thread: the kernels' worker threads compute parts of the products too.
    // Evaluation calls it from one thread, as the JJava kernel and bin/minitrain drift do.
    private static volatile Rounding active;
    private final Rounding previous;
    private final DoubleUnaryOperator round;
    /** The format the matrix products are computed in, or null for fp64. */
    private final DataType products;
    /** Since the last {@link #takeCounts}: finite values rounded to infinity, nonzero values rounded to zero. */
    private long overflows, flushes;

    private Rounding(DoubleUnaryOperator round, DataType products) {
        this.round = round;
        this.products = products;
        previous = active;
        active = this;
    }

    public static Rounding every(DoubleUnaryOperator round) {
        return new Rounding(round, null);
    }

    /** {@link #every}, and the matrix products computed in {@code format} (HALF or BFLOAT16) by ND4J. */
    public static Rounding everyWithProducts(DoubleUnaryOperator round, DataType format) {
        return new Rounding(round, format);
    }

    /** The format the active rounding computes matrix products in ({@link Blas} reads it), or null for fp64. */
    static DataType productFormat() {
        Rounding r = active;
        return r == null ? null : r.products;
    }

    /** The array rounded by the active format (a new array), or the array itself when none is active. */
    static INDArray apply(INDArray data) {
        Rounding r = active;
        if (r == null) return data;
        double[] v = Nd.values(data);
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            v[i] = r.round.applyAsDouble(x);
            if (Double.isFinite(x) && Double.isInfinite(v[i])) r.overflows++;
            else if (x != 0 && v[i] == 0) r.flushes++;
        }
        return Nd.array(v, data.shape());
    }

    /** {overflows, flushes} over every operation output since the previous call; the counters restart. */
    public long[] takeCounts() {
        long[] c = {overflows, flushes};
        overflows = flushes = 0;
        return c;
    }

    @Override
    public void close() {
        active = previous;
    }
}
