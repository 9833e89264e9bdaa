package minitrain.autograd;

/**
 * Layer normalisation over the last axis: y = (x - mean) / sqrt(var + eps) * w + b, with the biased
 * variance as torch.nn.LayerNorm uses. Forward and backward are one fused loop each; backward uses the
 * normalised values and 1/std saved by the forward.
 */
public final class LayerNorm {

    public static final double EPS = 1e-5;

    private LayerNorm() {}

    public static Tensor apply(Tensor x, Tensor w, Tensor b) {
        long[] shape = x.shape();
        int c = (int) shape[shape.length - 1];
        double[] xv = Nd.values(x.data), wv = Nd.values(w.data), bv = Nd.values(b.data);
        int rows = xv.length / c;
        double[] xhat = new double[xv.length], rstd = new double[rows], y = new double[xv.length];
        Nd.forRows(rows, r -> {
            int o = r * c;
            double mean = 0;
            for (int k = 0; k < c; k++) mean += xv[o + k];
            mean /= c;
            double var = 0;
            for (int k = 0; k < c; k++) {
                double d = xv[o + k] - mean;
                var += d * d;
            }
            var /= c;
            double rs = 1.0 / Math.sqrt(var + EPS);
            rstd[r] = rs;
            for (int k = 0; k < c; k++) {
                double h = (xv[o + k] - mean) * rs;
                xhat[o + k] = h;
                y[o + k] = h * wv[k] + bv[k];
            }
        });
        return Tensor.of(Nd.array(y, shape), "layernorm", g -> {
            double[] gv = Nd.values(g);
            double[] dx = new double[gv.length], dw = new double[c], db = new double[c];
            Nd.forRows(rows, r -> {
                int o = r * c;
                // dxhat = g * w; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
                double m1 = 0, m2 = 0;
                for (int k = 0; k < c; k++) {
                    double dh = gv[o + k] * wv[k];
                    m1 += dh;
                    m2 += dh * xhat[o + k];
                }
                m1 /= c;
                m2 /= c;
                for (int k = 0; k < c; k++) {
                    dx[o + k] = rstd[r] * (gv[o + k] * wv[k] - m1 - xhat[o + k] * m2);
                }
            });
            // The parameter gradients sum over rows: done in one thread, in row order, so the sum's
            // rounding (and so every bit of the result) does not depend on how rows were split.
            for (int r = 0; r < rows; r++) {
                int o = r * c;
                for (int k = 0; k < c; k++) {
                    dw[k] += gv[o + k] * xhat[o + k];
                    db[k] += gv[o + k];
                }
            }
            x.accumulateOwned(Nd.array(dx, shape));
            w.accumulateOwned(Nd.array(dw, c));
            b.accumulateOwned(Nd.array(db, c));
        }, x, w, b);
    }
}
