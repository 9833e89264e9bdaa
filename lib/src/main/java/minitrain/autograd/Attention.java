package minitrain.autograd;

import java.nio.DoubleBuffer;
import minitrain.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Causal self-attention as one operation, from the fused projection qkv (B, T, 3C) to the heads' outputs
 * merged back (B, T, C). Per batch row b and head h, with q, k, v the head's (T, D) slices:
 * <pre>
 *   s = q k^T / sqrt(D)            scores, (T, T)
 *   s[i][j] = -inf where j > i or key j is padding   (the attention mask)
 *   p = softmax(s) along j          each query's weights over the keys it may see
 *   a = dropout(p)                  in training only
 *   y = a v                          (T, D), written into y's columns h*D .. h*D+D
 * </pre>
 * It computes what Shape.slice/permute, MatMul, AttentionMask, Softmax and Dropout compute one by one (a
 * test checks it against that composition), with fewer arrays and copies: the heads are split once into
 * B*H contiguous (T, D) matrices, the four matrix products of forward and backward are each one batched
 * BLAS call over all B*H heads, and mask, softmax and dropout are one loop over the scores. Measured here,
 * BLAS does those products several times faster than plain loops, even counting the scores above the
 * diagonal that it computes and the mask then discards.
 */
public final class Attention {

    private Attention() {}

    public static Tensor apply(Tensor qkv, int heads, boolean[][] keyIsReal, double dropoutP, boolean train, Rng rng) {
        long[] s = qkv.shape();
        int bsz = (int) s[0], t = (int) s[1], c = (int) s[2] / 3, d = c / heads, bh = bsz * heads;
        double scale = 1 / Math.sqrt(d);
        // (B, T, 3, H, D) -> (3, B*H, T, D): q, k and v, each as B*H contiguous (T, D) matrices
        INDArray split = Nd.contiguous(qkv.data).reshape(bsz, t, 3, heads, d).permute(2, 0, 3, 1, 4).dup('c').reshape(3, bh, t, d);
        INDArray q = split.slice(0), k = split.slice(1), v = split.slice(2);
        INDArray probs = Nd.uninitialized(bh, t, t);
        // q k^T, (B*H, T, T), while the other core draws the dropout mask: in (b, h, i, j) order, by one
        // thread, so the same draws as Dropout on the (B, H, T, T) array.
        double[][] mask = new double[1][];
        Nd.onBothCores(() -> Rounding.product(q, k, probs, false, true),
                       () -> mask[0] = train && dropoutP > 0 ? dropoutMask(bh * t * t, dropoutP, rng) : null);
        double[] keep = mask[0];
        INDArray weights = keep == null ? probs : Nd.uninitialized(bh, t, t);           // the weights y uses
        DoubleBuffer p = Nd.buffer(probs), a = Nd.buffer(weights);
        Nd.forRows(bh * t, row -> {
            int b = row / (heads * t), i = row % t, o = row * t;
            // Scale and mask, then softmax over the keys this query may see, in place: the scores become
            // the weights p. The keys it may not see get weight exactly 0.
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
                if (keyIsReal != null && !keyIsReal[b][j]) continue;                    // padding: never attended
                max = Math.max(max, p.get(o + j) * scale);
            }
            double sum = 0;
            for (int j = 0; j < t; j++) {
                boolean seen = j <= i && (keyIsReal == null || keyIsReal[b][j]);
                double ex = seen ? Math.exp(p.get(o + j) * scale - max) : 0;           // max subtracted: no overflow
                p.put(o + j, ex);
                sum += ex;
            }
            double inv = 1 / sum;
            for (int j = 0; j < t; j++) {
                double w = p.get(o + j) * inv;
                p.put(o + j, w);
                if (keep != null) a.put(o + j, w * keep[o + j]);
            }
        });
        INDArray yh = Nd.uninitialized(bh, t, d);
        Rounding.product(weights, v, yh, false, false);                                 // a v, (B*H, T, D)
        Counters.product(2L * bh, t, d, t);
        // (B, H, T, D) -> (B, T, H, D) = (B, T, C): the heads side by side again
        INDArray y = yh.reshape(bsz, heads, t, d).permute(0, 2, 1, 3).dup('c').reshape(bsz, t, c);
        return Tensor.of(y, "attention", g -> {
            INDArray gy = Nd.contiguous(g).reshape(bsz, t, heads, d).permute(0, 2, 1, 3).dup('c').reshape(bh, t, d);
            INDArray grads = Nd.uninitialized(3, bh, t, d);                            // dL/dq, dL/dk, dL/dv
            INDArray gq = grads.slice(0), gk = grads.slice(1), gv = grads.slice(2);
            INDArray gScores = Nd.uninitialized(bh, t, t);
            Nd4j.matmul(gy, v, gScores, false, true, false);                             // dL/da = gy v^T
            Nd4j.matmul(weights, gy, gv, true, false, false);                            // dL/dv = a^T gy
            DoubleBuffer ds = Nd.buffer(gScores), pb = Nd.buffer(probs);
            Nd.forRows(bh * t, row -> {
                int o = row * t;
                // In place, dL/da becomes dL/ds: through dropout dL/dp = dL/da * mask; through softmax
                // ds = p (dp - sum_j dp p); then the scale. A masked score has p = 0 and gets nothing.
                double dot = 0;
                for (int j = 0; j < t; j++) {
                    double dp = keep == null ? ds.get(o + j) : ds.get(o + j) * keep[o + j];
                    ds.put(o + j, dp);
                    dot += dp * pb.get(o + j);
                }
                for (int j = 0; j < t; j++) ds.put(o + j, pb.get(o + j) * (ds.get(o + j) - dot) * scale);
            });
            Nd4j.matmul(gScores, k, gq, false, false, false);                            // dL/dq = ds k
            Nd4j.matmul(gScores, q, gk, true, false, false);                             // dL/dk = ds^T q
            Counters.product(4L * bh, t, t, d);
            // (3, B, H, T, D) -> (B, T, 3, H, D) = (B, T, 3C), the layout of qkv
            qkv.accumulateOwned(grads.reshape(3, bsz, heads, t, d).permute(1, 3, 0, 2, 4).dup('c').reshape(s));
        }, qkv);
    }

    static double[] dropoutMask(int n, double p, Rng rng) {
        double[] keep = new double[n];
        double scale = 1 / (1 - p);
        for (int i = 0; i < n; i++) keep[i] = rng.nextDouble() < p ? 0 : scale;
        return keep;
    }
}
