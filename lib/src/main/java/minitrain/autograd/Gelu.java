package minitrain.autograd;

import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact GELU: y = x * Phi(x), Phi the standard normal CDF = (1 + erf(x / sqrt 2)) / 2 (nanoGPT's
 * nn.GELU(), not the tanh approximation). dy/dx = Phi(x) + x * phi(x), phi the normal density.
 * erf comes from ND4J's native op (accurate to about 1e-16; Java has no Math.erf).
 */
public final class Gelu {

    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private Gelu() {}

    /** The lesson: x times Phi(x), and autograd's product rule gives dy/dx = Phi(x) + x * phi(x). */
    public static Tensor reference(Tensor x) {
        return Arithmetic.mul(x, normalCdf(x));
    }

    /** Phi(x) = (1 + erf(x / sqrt 2)) / 2, element by element; its local derivative is the density phi(x). */
    public static Tensor normalCdf(Tensor x) {
        INDArray cdf = Nd.contiguous(x.data).mul(INV_SQRT2);
        Nd4j.getExecutioner().exec(new Erf(cdf, cdf));
        cdf.addi(1).muli(0.5);
        return Tensor.of(cdf, "normal_cdf", g -> {
            double[] xv = Nd.values(x.data), gv = Nd.values(g), dx = new double[xv.length];
            for (int i = 0; i < xv.length; i++) dx[i] = gv[i] * Math.exp(-0.5 * xv[i] * xv[i]) * INV_SQRT_2PI;
            x.accumulate(Nd.array(dx, x.shape()));
        }, x);
    }

    /**
     * The fast kernel; it must equal {@link #reference} (ReferenceTest): bit for bit forward, backward to 1e-15
     * (it computes g * (Phi + x phi) where the reference adds g Phi and (g x) phi). One operation instead of
     * two, its loops over the arrays' own memory, and the work shared between the cores.
     */
    public static Tensor apply(Tensor x) {
        long[] shape = x.shape();
        INDArray in = Nd.contiguous(x.data);
        long n = in.length();
        // Phi(x), kept for backward: x / sqrt 2, then erf in place (half the values on each core), then (1 + erf) / 2
        INDArray phi = Nd.uninitialized(n);
        DoubleBuffer xv = Nd.buffer(in), cdf = Nd.buffer(phi);
        Nd.forChunks(n, (from, to) -> {
            for (int i = from; i < to; i++) cdf.put(i, xv.get(i) * INV_SQRT2);
        });
        if (n < 2) {
            Nd4j.getExecutioner().exec(new Erf(phi, phi));
        } else {
            INDArray top = Nd.rows(phi.reshape(n, 1), 0, n / 2), bottom = Nd.rows(phi.reshape(n, 1), n / 2, n);
            Nd.onBothCores(() -> Nd4j.getExecutioner().exec(new Erf(top, top)),
                    () -> Nd4j.getExecutioner().exec(new Erf(bottom, bottom)));
        }
        INDArray out = Nd.uninitialized(shape);
        DoubleBuffer y = Nd.buffer(out);
        Nd.forChunks(n, (from, to) -> {
            for (int i = from; i < to; i++) {
                double c = 0.5 * (1 + cdf.get(i));
                cdf.put(i, c);
                y.put(i, xv.get(i) * c);
            }
        });
        return Tensor.of(out, "gelu", g -> {
            INDArray gc = Nd.contiguous(g), dx = Nd.uninitialized(shape);
            DoubleBuffer gv = Nd.buffer(gc), d = Nd.buffer(dx), xs = Nd.buffer(in), c = Nd.buffer(phi);
            Nd.forChunks(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    double xi = xs.get(i), pdf = Math.exp(-0.5 * xi * xi) * INV_SQRT_2PI;
                    d.put(i, gv.get(i) * (c.get(i) + xi * pdf));
                }
            });
            java.lang.ref.Reference.reachabilityFence(gc);
            x.accumulate(dx);
        }, x);
    }
}
