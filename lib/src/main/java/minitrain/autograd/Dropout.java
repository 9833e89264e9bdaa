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

    /**
     * The fast path; it must equal {@link #reference}, bit for bit (DropoutTest): the mask is drawn, and x
     * multiplied by it, in blocks on all cores, and the mask kept for backward, which multiplies the gradient by it
     * the same way (ND4J's multiplication ran on one core: 1.5 against 1.0 ms a shipped step on the Intel Xeon of
     * docs/performance.md).
     */
    public static Tensor apply(Tensor x, double p, boolean train, Rng rng) {
        if (!train || p == 0) return x;
        long[] shape = x.shape();
        INDArray in = Nd.contiguous(x.data), mask = Nd.uninitialized(shape), out = Nd.uninitialized(shape);
        draw(rng.reserve((int) mask.length()), p, mask, in, out);
        java.lang.ref.Reference.reachabilityFence(in);
        return Tensor.of(out, "dropout", g -> x.accumulate(Nd.product(Nd.contiguous(g), mask)), x);
    }

    /**
     * A mask in C order: 0 with probability p, else 1 / (1 - p), the same values as {@link #reference} draws.
     * The i-th value uses the Rng's i-th number ({@link Rng#reserve}), so the mask is the same however the
     * draws are spread over the cores. It is an array of the pass (in its {@link StepMemory}), as the other
     * arrays backward needs are: fresh heap arrays of this size cost more to map in than to fill.
     */
    static INDArray mask(long[] shape, double p, Rng rng) {
        INDArray mask = Nd.uninitialized(shape);
        draw(rng.reserve((int) mask.length()), p, mask, null, null);
        return mask;
    }

    /**
     * The mask from the Rng's numbers reserved at {@code start}, in blocks on all cores; with x, also y = x * mask.
     * Where the kit's C library is loaded, the same integer steps and one multiply a value run there, on the arrays'
     * own memory (lib/src/main/c/dropout.c): the same bits, without copying each block to the heap and back.
     */
    private static void draw(long start, double p, INDArray mask, INDArray x, INDArray y) {
        double scale = 1 / (1 - p);
        if (Native.LOADED) {
            long t = Rng.threshold(p), bits = Double.doubleToRawLongBits(scale), m0 = Native.address(mask, 0);
            long x0 = x == null ? 0 : Native.address(x, 0), y0 = y == null ? 0 : Native.address(y, 0);
            Nd.inPieces(mask.length(), (from, len) -> Native.dropout(start, from, len, t, bits,
                    m0 + from * Double.BYTES, x == null ? 0 : x0 + from * Double.BYTES,
                    y == null ? 0 : y0 + from * Double.BYTES));
            java.lang.ref.Reference.reachabilityFence(x);
            return;
        }
        DoubleBuffer m = Nd.buffer(mask), xv = x == null ? null : Nd.buffer(x), yv = y == null ? null : Nd.buffer(y);
        Nd.forBlocks(mask.length(), Blocks.SIZE, Blocks.MINE, (b, from, len) -> {
            b.draws.mask(start, from, len, p, scale, b.mask);
            m.put(from, b.mask, 0, len);
            if (xv == null) return;
            xv.get(from, b.x, 0, len);
            for (int i = 0; i < len; i++) b.y[i] = b.x[i] * b.mask[i];
            yv.put(from, b.y, 0, len);
        });
        java.lang.ref.Reference.reachabilityFence(x);
    }

    /** One core's heap arrays: the Rng's working arrays and a block of the mask, the input and the output. */
    private static final class Blocks {
        static final int SIZE = Rng.Block.SIZE;
        static final ThreadLocal<Blocks> MINE = ThreadLocal.withInitial(Blocks::new);
        final Rng.Block draws = new Rng.Block();
        final double[] mask = new double[SIZE], x = new double[SIZE], y = new double[SIZE];
    }
}
