package minitrain.autograd;

import java.nio.DoubleBuffer;
import minitrain.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout: in training each value is kept with probability 1 - p and scaled by 1 / (1 - p), so
 * the expected value is unchanged and evaluation needs no rescaling. The mask comes from the kit's Rng,
 * so a run and its resumed copy drop the same values. In evaluation it is the identity.
 */
public final class Dropout {

    private Dropout() {}

    /** The lesson: y = x * mask, the mask drawn one number after another in C order. */
    public static Tensor reference(Tensor x, double p, boolean train, Rng rng) {
        if (!train || p == 0) return x;
        double[] mask = new double[(int) x.data.length()];
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextDouble() < p ? 0 : 1 / (1 - p);
        return Arithmetic.mul(x, Tensor.constant(Nd.array(mask, x.shape())));
    }

    /** The fast path; it must equal {@link #reference}, bit for bit (DropoutTest): the mask is drawn on all cores. */
    public static Tensor apply(Tensor x, double p, boolean train, Rng rng) {
        if (!train || p == 0) return x;
        INDArray mask = mask(x.shape(), p, rng);
        return Tensor.of(Nd.contiguous(x.data).mul(mask), "dropout", g -> x.accumulate(g.mul(mask)), x);
    }

    /**
     * A mask in C order: 0 with probability p, else 1 / (1 - p), the same values as {@link #reference} draws.
     * The i-th value uses the Rng's i-th number ({@link Rng#reserve}), so the mask is the same however the
     * draws are spread over the cores. It is an array of the pass (in its {@link StepMemory}), as the other
     * arrays backward needs are: fresh heap arrays of this size cost more to map in than to fill.
     */
    static INDArray mask(long[] shape, double p, Rng rng) {
        INDArray mask = Nd.uninitialized(shape);
        DoubleBuffer out = Nd.buffer(mask);
        double scale = 1 / (1 - p);
        long start = rng.reserve((int) mask.length());
        Nd.forBlocks(mask.length(), 4096, () -> new double[4096], (block, from, len) -> {
            for (int i = 0; i < len; i++) block[i] = Rng.nthDouble(start, from + i) < p ? 0 : scale;
            out.put(from, block, 0, len);
        });
        return mask;
    }
}
