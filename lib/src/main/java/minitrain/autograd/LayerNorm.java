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
        return Native.LOADED ? inC(x, w, b) : inJava(x, w, b);
    }

    /** {@link #apply}'s loops in Java: what runs where the kit's C library is not loaded. */
    static Tensor inJava(Tensor x, Tensor w, Tensor b) {
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

    /**
     * {@link #inJava}'s loops in C, on the arrays' own memory (lib/src/main/c/layernorm.c): the same operations in
     * the same order, so the same bits (ReferenceTest, the portable fixture), without the buffers' get and put,
     * which the JIT does not vectorise. 1/std is kept in an array of the pass instead of the heap, for C to write.
     */
    static Tensor inC(Tensor x, Tensor w, Tensor b) {
        long[] shape = x.shape();
        int c = (int) shape[shape.length - 1];
        INDArray in = Nd.contiguous(x.data), wc = Nd.contiguous(w.data), bc = Nd.contiguous(b.data);
        int rows = (int) (in.length() / c);
        long row = (long) c * Double.BYTES;                                       // bytes from a row to the next
        INDArray rstd = Nd.uninitialized(rows), normalised = Nd.uninitialized(shape), out = Nd.uninitialized(shape);
        long x0 = Native.address(in, 0), h0 = Native.address(normalised, 0), y0 = Native.address(out, 0);
        long r0 = Native.address(rstd, 0), w0 = Native.address(wc, 0), b0 = Native.address(bc, 0);
        Nd.inTurns(rows, () -> (from, to) -> Native.layerNormForward(x0 + from * row, h0 + from * row,
                y0 + from * row, r0 + (long) from * Double.BYTES, w0, b0, to - from, c, EPS));
        java.lang.ref.Reference.reachabilityFence(in);
        java.lang.ref.Reference.reachabilityFence(bc);
        return Tensor.of(out, "layernorm", g -> {
            INDArray gc = Nd.contiguous(g), dx = Nd.uninitialized(shape), dw = Nd.zeros(c), db = Nd.zeros(c);
            INDArray prior = x.gradSoFar() == null ? null : Nd.contiguous(x.gradSoFar());
            long g0 = Native.address(gc, 0), dx0 = Native.address(dx, 0), dw0 = Native.address(dw, 0);
            long db0 = Native.address(db, 0), p0 = prior == null ? 0 : Native.address(prior, 0);
            // As in apply: item 0, the parameter sums over all rows in row order, on the core that takes it first;
            // items 1..rows, dx's rows, on both.
            Nd.inTurns(1 + rows, () -> (first, last) -> {
                if (first == 0) Native.layerNormParameters(g0, h0, dw0, db0, rows, c);
                int from = Math.max(first, 1) - 1, to = last - 1;
                if (to > from) {
                    Native.layerNormBackward(g0 + from * row, h0 + from * row, r0 + (long) from * Double.BYTES, w0,
                            prior == null ? 0 : p0 + from * row, dx0 + from * row, to - from, c);
                }
            });
            java.lang.ref.Reference.reachabilityFence(gc);
            java.lang.ref.Reference.reachabilityFence(prior);
            java.lang.ref.Reference.reachabilityFence(normalised);
            java.lang.ref.Reference.reachabilityFence(rstd);
            java.lang.ref.Reference.reachabilityFence(wc);
            if (prior == null) x.accumulate(dx);
            else x.replaceGrad(dx);                                               // the sum, prior included
            w.accumulate(dw);
            b.accumulate(db);
        }, x, w, b);
    }
}
