package minitrain.autograd;

import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Cross-entropy from logits (B, T, V): the SUM over counted positions of -log softmax(logits)[target],
 * divided by a normaliser the caller chooses. The training loop passes the number of real (non-pad)
 * target tokens of the whole accumulated batch, so the loss is a per-token mean that does not depend on
 * how much padding a batch has or how it is split into micro-batches.
 */
public final class CrossEntropy {

    private CrossEntropy() {}

    /**
     * The lesson: log-softmax over the vocabulary, the log-probability of each counted target picked out (a
     * product with a one-hot array), summed, negated and divided by the normaliser.
     *
     * @param counted (B, T): true where the target is a real token (false for {@code <pad>} targets)
     */
    public static Tensor reference(Tensor logits, int[][] targets, boolean[][] counted, double normaliser) {
        long[] s = logits.shape();
        int bsz = (int) s[0], t = (int) s[1], v = (int) s[2];
        double[] oneHot = new double[bsz * t * v];                          // 1 at each counted target, else 0
        for (int b = 0; b < bsz; b++) {
            for (int i = 0; i < t; i++) if (counted[b][i]) oneHot[(b * t + i) * v + targets[b][i]] = 1;
        }
        Tensor logProbs = Softmax.logSoftmax(logits);                                  // (B, T, V)
        Tensor picked = Reduce.sum(Arithmetic.mul(logProbs, Tensor.constant(Nd.array(oneHot, s))));
        return Arithmetic.scale(picked, -1 / normaliser);
    }

    /**
     * The fast kernel; it must equal {@link #reference}, to 1e-14 relative (ReferenceTest: sums in another
     * order). One operation over the counted rows only, with the backward of log-softmax and the pick worked
     * out by hand: d loss / d logits = (softmax - one-hot) / normaliser on each counted row, 0 elsewhere.
     *
     * @param counted (B, T): true where the target is a real token (false for {@code <pad>} targets)
     */
    public static Tensor apply(Tensor logits, int[][] targets, boolean[][] counted, double normaliser) {
        long[] s = logits.shape();
        int bsz = (int) s[0], t = (int) s[1], v = (int) s[2];
        // The logits are read in place a row at a time (a heap copy of the whole (B, T, V) array each step was
        // a megabyte of garbage), and the gradient is written in place the same way.
        INDArray in = Nd.contiguous(logits.data);
        DoubleBuffer x = Nd.buffer(in);
        double[] lse = new double[bsz * t], xr = Nd.scratch(0, v);              // xr: one row of logits
        double total = 0;
        for (int b = 0; b < bsz; b++) {
            for (int i = 0; i < t; i++) {
                int row = b * t + i;
                if (!counted[b][i]) continue; // a pad target adds nothing to the loss
                x.get(row * v, xr, 0, v);
                lse[row] = Softmax.logSumExp(xr, 0, v);
                total += lse[row] - xr[targets[b][i]];
            }
        }
        return Tensor.of(Nd.array(new double[] {total / normaliser}), "cross_entropy", g -> {
            double scale = g.getDouble(0) / normaliser;
            INDArray dxArray = Nd.zeros(s);
            DoubleBuffer dx = Nd.buffer(dxArray);
            double[] xs = Nd.scratch(0, v), dr = Nd.scratch(1, v);                // a row of logits, its gradient
            for (int b = 0; b < bsz; b++) {
                for (int i = 0; i < t; i++) {
                    int row = b * t + i;
                    if (!counted[b][i]) continue; // and receives no gradient
                    x.get(row * v, xs, 0, v);
                    for (int k = 0; k < v; k++) dr[k] = Math.exp(xs[k] - lse[row]) * scale;
                    dr[targets[b][i]] -= scale; // softmax - one-hot
                    dx.put(row * v, dr, 0, v);
                }
            }
            java.lang.ref.Reference.reachabilityFence(in);
            logits.accumulate(dxArray);
        }, logits);
    }

    /** log p(target) at every position (no graph): what the evaluation protocol sums. (B, T) */
    public static double[][] logProbs(Tensor logits, int[][] targets) {
        long[] s = logits.shape();
        int bsz = (int) s[0], t = (int) s[1], v = (int) s[2];
        double[] x = Nd.values(logits.data);
        double[][] out = new double[bsz][t];
        for (int b = 0; b < bsz; b++) {
            for (int i = 0; i < t; i++) {
                int row = b * t + i;
                out[b][i] = x[row * v + targets[b][i]] - Softmax.logSumExp(x, row * v, v);
            }
        }
        return out;
    }
}
