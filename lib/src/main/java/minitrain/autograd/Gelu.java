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
     * two, one pass over the arrays' own memory, and the work shared between the cores.
     */
    public static Tensor apply(Tensor x) {
        long[] shape = x.shape();
        INDArray in = Nd.contiguous(x.data);
        long n = in.length();
        INDArray phi = Nd.uninitialized(n), out = Nd.uninitialized(shape); // Phi(x) is kept for backward
        DoubleBuffer xv = Nd.buffer(in), cdf = Nd.buffer(phi), y = Nd.buffer(out);
        Nd.forChunks(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                double xi = xv.get(i), c = NormalCdf.cdf(xi);
                cdf.put(i, c);
                y.put(i, xi * c);
            }
        });
        return Tensor.of(out, "gelu", g -> {
            INDArray gc = Nd.contiguous(g), dx = Nd.uninitialized(shape);
            DoubleBuffer gv = Nd.buffer(gc), d = Nd.buffer(dx), xs = Nd.buffer(in), c = Nd.buffer(phi);
            Nd.forChunks(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    double xi = xs.get(i);
                    d.put(i, gv.get(i) * (c.get(i) + xi * NormalCdf.density(xi)));
                }
            });
            java.lang.ref.Reference.reachabilityFence(gc);
            x.accumulate(dx);
        }, x);
    }
}
