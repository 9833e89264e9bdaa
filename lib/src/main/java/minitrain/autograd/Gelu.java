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

    public static Tensor apply(Tensor x) {
        long[] shape = x.shape();
        INDArray in = Nd.contiguous(x.data);
        long n = in.length();
        // Phi(x), kept for backward: first x / sqrt 2, then erf in place (half the values on each core), then (1 + erf) / 2
        INDArray phi = Nd.uninitialized(n);
        DoubleBuffer xv = Nd.buffer(in), cdf = Nd.buffer(phi);
        Nd.forChunks(n, (from, to) -> {
            for (int i = from; i < to; i++) cdf.put(i, xv.get(i) * INV_SQRT2);
        });
        if (n < 2) {
            Nd4j.getExecutioner().exec(new Erf(phi, phi));
        } else {
            INDArray top = Nd.rows(phi.reshape(n, 1), 0, n / 2), bottom = Nd.rows(phi.reshape(n, 1), n / 2, n);
            Nd.onBothCores(() -> Nd4j.getExecutioner().exec(new Erf(top, top)), () -> Nd4j.getExecutioner().exec(new Erf(bottom, bottom)));
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
            x.accumulate(dx);
            java.lang.ref.Reference.reachabilityFence(gc);
        }, x);
    }
}
