package minitrain.precision;

import java.util.function.DoubleUnaryOperator;
import minitrain.autograd.Nd;
import minitrain.autograd.OpHook;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rounds the output of every operation while it is installed as the {@link OpHook}:
 * {@code try (var on = OpHook.install(Rounding.every(HalfFloats::roundFp16))) {...}}. It models a forward pass
 * whose every intermediate tensor is stored in a 16-bit format while each operation computes inside in wide
 * precision (a fused kernel accumulating in fp32 and writing fp16). The drift lab compares it with rounding at
 * the layer boundaries only. Evaluation only: outputs are copies, never views.
 *
 * <p>{@link #everyWithProducts} also computes the matrix products (Linear, attention) in the format itself,
 * with ND4J's CPU kernel for it: the inputs cast to the format and every product and partial sum rounded to
 * it, true 16-bit arithmetic with no wide accumulator.
 */
public final class Rounding implements OpHook {

    private final DoubleUnaryOperator round;
    /** The format the matrix products are computed in, or null for fp64. */
    private final DataType products;
    /** Since the last {@link #takeCounts}: finite values rounded to infinity, nonzero values rounded to zero. */
    private long overflows, flushes;

    private Rounding(DoubleUnaryOperator round, DataType products) {
        this.round = round;
        this.products = products;
    }

    public static Rounding every(DoubleUnaryOperator round) {
        return new Rounding(round, null);
    }

    /** {@link #every}, and the matrix products computed in {@code format} (HALF or BFLOAT16) by ND4J. */
    public static Rounding everyWithProducts(DoubleUnaryOperator round, DataType format) {
        return new Rounding(round, format);
    }

    @Override
    public DataType productFormat() {
        return products;
    }

    /** The operation's output rounded to the format: a new array. */
    @Override
    public INDArray output(String op, INDArray data) {
        double[] v = Nd.values(data);
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            v[i] = round.applyAsDouble(x);
            if (Double.isFinite(x) && Double.isInfinite(v[i])) overflows++;
            else if (x != 0 && v[i] == 0) flushes++;
        }
        return Nd.array(v, data.shape());
    }

    /** {overflows, flushes} over every operation output since the previous call; the counters restart. */
    public long[] takeCounts() {
        long[] c = {overflows, flushes};
        overflows = flushes = 0;
        return c;
    }
}
