package minitrain.autograd;

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
        double[] xv = Nd.values(x.data), cdf = new double[xv.length], y = new double[xv.length];
        for (int i = 0; i < xv.length; i++) cdf[i] = xv[i] * INV_SQRT2;
        INDArray erf = Nd.array(cdf, shape);
        Nd4j.getExecutioner().exec(new Erf(erf, erf));   // in place: one array, native, all cores
        erf.data().asNioDouble().get(cdf);
        Nd.forRows(xv.length / 256 + 1, r -> {
            for (int i = r * 256; i < Math.min(xv.length, (r + 1) * 256); i++) {
                cdf[i] = 0.5 * (1 + cdf[i]);
                y[i] = xv[i] * cdf[i];
            }
        });
        return Tensor.of(Nd.array(y, shape), "gelu", g -> {
            double[] gv = Nd.values(g), dx = new double[gv.length];
            Nd.forRows(gv.length / 256 + 1, r -> {
                for (int i = r * 256; i < Math.min(gv.length, (r + 1) * 256); i++) {
                    double pdf = Math.exp(-0.5 * xv[i] * xv[i]) * INV_SQRT_2PI;
                    dx[i] = gv[i] * (cdf[i] + xv[i] * pdf);
                }
            });
            x.accumulateOwned(Nd.array(dx, shape));
        }, x);
    }
}
