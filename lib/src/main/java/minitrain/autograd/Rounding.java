package minitrain.autograd;

import java.util.function.DoubleUnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rounds the output of every operation for a block: {@code try (var r = Rounding.every(HalfFloats::roundFp16)) {...}}.
 * It models a forward pass whose every intermediate tensor is stored in a 16-bit format while each operation
 * computes inside in wide precision (a fused kernel accumulating in fp32 and writing fp16). The drift lab
 * compares it with rounding at the layer boundaries only. Evaluation only: outputs are copies, never views.
 */
public final class Rounding implements AutoCloseable {

    private static final ThreadLocal<Rounding> ACTIVE = new ThreadLocal<>();
    private final Rounding previous;
    private final DoubleUnaryOperator round;
    /** Since the last {@link #takeCounts}: finite values rounded to infinity, nonzero values rounded to zero. */
    private long overflows, flushes;

    private Rounding(DoubleUnaryOperator round) {
        this.round = round;
        previous = ACTIVE.get();
        ACTIVE.set(this);
    }

    public static Rounding every(DoubleUnaryOperator round) {
        return new Rounding(round);
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
