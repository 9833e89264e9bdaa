package minitrain.autograd;

import java.util.function.DoubleUnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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

    private static final ThreadLocal<Rounding> ACTIVE = new ThreadLocal<>();
    private final Rounding previous;
    private final DoubleUnaryOperator round;
    /** The format the matrix products are computed in, or null for fp64. */
    private final DataType products;
    /** Since the last {@link #takeCounts}: finite values rounded to infinity, nonzero values rounded to zero. */
    private long overflows, flushes;

    private Rounding(DoubleUnaryOperator round, DataType products) {
        this.round = round;
        this.products = products;
        previous = ACTIVE.get();
        ACTIVE.set(this);
    }

    public static Rounding every(DoubleUnaryOperator round) {
        return new Rounding(round, null);
    }

    /** {@link #every}, and the matrix products computed in {@code format} (HALF or BFLOAT16) by ND4J. */
    public static Rounding everyWithProducts(DoubleUnaryOperator round, DataType format) {
        return new Rounding(round, format);
    }

    /**
     * out = op(a) op(b) for 2-D matrices or stacks of them: in fp64 unless the active rounding computes products
     * in a 16-bit format, then by ND4J in that format and cast back to fp64.
     */
    static void product(INDArray a, INDArray b, INDArray out, boolean transposeA, boolean transposeB) {
        Rounding r = ACTIVE.get();
        if (r == null || r.products == null) {
            if (a.rank() == 2) Nd4j.gemm(a, b, out, transposeA, transposeB, 1.0, 0.0);   // measured faster than matmul
            else Nd4j.matmul(a, b, out, transposeA, transposeB, false);
        } else {
            out.assign(Nd4j.matmul(a.castTo(r.products), b.castTo(r.products), transposeA, transposeB, false).castTo(DataType.DOUBLE));
        }
    }

    /** The array rounded by the active format (a new array), or the array itself when none is active. */
    static INDArray apply(INDArray data) {
        Rounding r = ACTIVE.get();
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
        ACTIVE.set(previous);
    }
}
