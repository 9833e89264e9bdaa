package minitrain.autograd;

import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer normalisation over the last axis: y = (x - mean) / sqrt(var + eps) * w + b, with the biased
 * variance as torch.nn.LayerNorm uses.
 */
public final class LayerNorm {

    public static final double EPS = 1e-5;

    private LayerNorm() {}

    /** The lesson: the formula from the small operations; autograd derives the backward. */
    public static Tensor reference(Tensor x, Tensor w, Tensor b) {
        int last = x.shape().length - 1;
        Tensor centred = Arithmetic.sub(x, Reduce.mean(x, last));                     // x - mean, (..., C)
        Tensor variance = Reduce.mean(Arithmetic.mul(centred, centred), last);        // biased: over C, (..., 1)
        Tensor eps = Tensor.constant(Nd.array(new double[] {EPS}, 1));
        Tensor normalised = Arithmetic.div(centred, Arithmetic.sqrt(Arithmetic.add(variance, eps)));
        return Arithmetic.add(Arithmetic.mul(normalised, w), b);
    }

    /**
     * The fast kernel; it must equal {@link #reference}, to 1e-14 relative (ReferenceTest: the mean and
     * variance are summed in another order, and 1/std is multiplied instead of std divided). Forward and
     * backward are one loop each over the arrays' own memory, rows shared between the cores; backward uses the
     * normalised values and 1/std saved by the forward, with the backward of the formula worked out by hand:
     * dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / std, dxhat = g * w.
     */
    public static Tensor apply(Tensor x, Tensor w, Tensor b) {
        long[] shape = x.shape();
        int c = (int) shape[shape.length - 1];
        INDArray in = Nd.contiguous(x.data);
        int rows = (int) (in.length() / c);
        double[] wv = Nd.values(w.data), bv = Nd.values(b.data), rstd = new double[rows];
        INDArray normalised = Nd.uninitialized(shape), out = Nd.uninitialized(shape);   // xhat, kept for backward; y
        DoubleBuffer xv = Nd.buffer(in), xhat = Nd.buffer(normalised), y = Nd.buffer(out);
        Nd.forRows(rows, r -> {
            int o = r * c;
            double mean = 0;
            for (int k = 0; k < c; k++) mean += xv.get(o + k);
            mean /= c;
            double var = 0;
            for (int k = 0; k < c; k++) {
                double d = xv.get(o + k) - mean;
                var += d * d;
            }
            var /= c;
            double rs = 1.0 / Math.sqrt(var + EPS);
            rstd[r] = rs;
            for (int k = 0; k < c; k++) {
                double h = (xv.get(o + k) - mean) * rs;
                xhat.put(o + k, h);
                y.put(o + k, h * wv[k] + bv[k]);
            }
        });
        java.lang.ref.Reference.reachabilityFence(in);
        return Tensor.of(out, "layernorm", g -> {
            INDArray gc = Nd.contiguous(g), dxArray = Nd.uninitialized(shape);
            DoubleBuffer gv = Nd.buffer(gc), dx = Nd.buffer(dxArray), h = Nd.buffer(normalised);
            // x's gradient from its other uses (the residual stream's, in the model), added into dx as it is written:
            // the same sums as accumulate's, without a pass of its own over memory on one core.
            INDArray priorArray = x.gradSoFar() == null ? null : Nd.contiguous(x.gradSoFar());
            DoubleBuffer prior = priorArray == null ? null : Nd.buffer(priorArray);
            double[] dw = new double[c], db = new double[c];
            // The parameter gradients sum over rows, in row order, on one core, so the sum's rounding (and so every
            // bit of the result) does not depend on how rows are split; that core starts with them (piece 0) while
            // the other takes dx's rows, then both take dx's rows in turn.
            Nd.forRows(1 + rows, piece -> {
                if (piece == 0) {
                    for (int r = 0; r < rows; r++) {
                        int o = r * c;
                        for (int k = 0; k < c; k++) {
                            dw[k] += gv.get(o + k) * h.get(o + k);
                            db[k] += gv.get(o + k);
                        }
                    }
                    return;
                }
                int r = piece - 1, o = r * c;
                // dxhat = g * w; dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
                double m1 = 0, m2 = 0;
                for (int k = 0; k < c; k++) {
                    double dh = gv.get(o + k) * wv[k];
                    m1 += dh;
                    m2 += dh * h.get(o + k);
                }
                m1 /= c;
                m2 /= c;
                for (int k = 0; k < c; k++) {
                    double d = rstd[r] * (gv.get(o + k) * wv[k] - m1 - h.get(o + k) * m2);
                    dx.put(o + k, prior == null ? d : prior.get(o + k) + d);
                }
            });
            java.lang.ref.Reference.reachabilityFence(gc);
            java.lang.ref.Reference.reachabilityFence(priorArray);
            if (prior == null) x.accumulate(dxArray);
            else x.replaceGrad(dxArray);                                          // the sum, prior included
            w.accumulate(Nd.array(dw, c));
            b.accumulate(Nd.array(db, c));
        }, x, w, b);
    }
}
