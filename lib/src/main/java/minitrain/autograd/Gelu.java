package minitrain.autograd;

import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exact GELU: y = x * Phi(x), Phi the standard normal CDF = (1 + erf(x / sqrt 2)) / 2 (nanoGPT's
 * nn.GELU(), not the tanh approximation). dy/dx = Phi(x) + x * phi(x), phi the normal density.
 * Phi and phi come from {@link NormalCdf} (Java has no erf).
 */
public final class Gelu {

    private Gelu() {}

    /** The lesson: x times Phi(x), and autograd's product rule gives dy/dx = Phi(x) + x * phi(x). */
    public static Tensor reference(Tensor x) {
        return Arithmetic.mul(x, normalCdf(x));
    }

    /** Phi(x), element by element; its local derivative is the density phi(x). */
    public static Tensor normalCdf(Tensor x) {
        double[] xv = Nd.values(x.data), cdf = new double[xv.length];
        for (int i = 0; i < xv.length; i++) cdf[i] = NormalCdf.cdf(xv[i]);
        return Tensor.of(Nd.array(cdf, x.shape()), "normal_cdf", g -> {
            double[] gv = Nd.values(g), dx = new double[xv.length];
            for (int i = 0; i < xv.length; i++) dx[i] = gv[i] * NormalCdf.density(xv[i]);
            x.accumulate(Nd.array(dx, x.shape()));
        }, x);
    }

    /**
     * The fast kernel; it must equal {@link #reference} (ReferenceTest): bit for bit forward, backward to 1e-15
     * (it computes g * (Phi + x phi) where the reference adds g Phi and (g x) phi). One operation instead of
     * two, and the work shared between the cores. The forward keeps the slope dy/dx = Phi + x phi for backward
     * (not Phi), so the backward is one multiplication a value. With the kit's C library ({@link Native}) the
     * forward runs in C, the same operations, the same bits; else each block of values is copied to the Java heap,
     * where {@link NormalCdf.Block} and the loops here run in vector instructions, and back.
     */
    public static Tensor apply(Tensor x) {
        long[] shape = x.shape();
        INDArray in = Nd.contiguous(x.data);
        long n = in.length();
        INDArray slope = Nd.uninitialized(n), out = Nd.uninitialized(shape);
        if (Native.LOADED) {
            // The same operations in C (lib/src/main/c/gelu.c), vectorised whole, on the arrays in place.
            long x0 = Native.address(in, 0), y0 = Native.address(out, 0), s0 = Native.address(slope, 0);
            Nd.inTurns((int) ((n + Blocks.SIZE - 1) / Blocks.SIZE), () -> (first, last) -> {
                long from = (long) first * Blocks.SIZE, to = Math.min(n, (long) last * Blocks.SIZE);
                Native.gelu(x0 + from * Double.BYTES, y0 + from * Double.BYTES, s0 + from * Double.BYTES, to - from);
            });
        } else {
            DoubleBuffer xv = Nd.buffer(in), dydx = Nd.buffer(slope), y = Nd.buffer(out);
            Nd.forBlocks(n, Blocks.SIZE, Blocks.MINE, (b, from, len) -> {
                NormalCdf.Block phi = b.normal;
                xv.get(from, phi.x, 0, len);
                phi.evaluate(len);
                for (int i = 0; i < len; i++) b.y[i] = phi.x[i] * phi.cdf[i];
                for (int i = 0; i < len; i++) b.slope[i] = phi.cdf[i] + phi.x[i] * phi.density[i];
                y.put(from, b.y, 0, len);
                dydx.put(from, b.slope, 0, len);
            });
        }
        java.lang.ref.Reference.reachabilityFence(in);
        return Tensor.of(out, "gelu", g -> x.accumulate(Nd.product(Nd.contiguous(g), slope)), x);
    }

    /**
     * One core's heap arrays for {@link #apply}: a block of values for the normal CDF, and GELU's own. Every loop
     * writes an array it does not read: a loop that rewrote one it read beside others ran scalar
     * (docs/performance.md).
     */
    private static final class Blocks {
        static final int SIZE = NormalCdf.Block.SIZE;
        static final ThreadLocal<Blocks> MINE = ThreadLocal.withInitial(Blocks::new);
        final NormalCdf.Block normal = new NormalCdf.Block();
        final double[] y = new double[SIZE], slope = new double[SIZE];
    }
}
