package minitrain.autograd;

import minitrain.Rng;

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
 * It computes exactly what Shape.slice/permute, MatMul, AttentionMask, Softmax and Dropout compute one by
 * one (a test checks it against that composition), without their ten intermediate (B, H, T, T) arrays and
 * copies: measured, those made the attention half of a training step. (b, h) pairs are independent, so they
 * run on all cores; each one always runs on one thread, in one order, so the bits never depend on timing.
 */
public final class Attention {

    private Attention() {}

    public static Tensor apply(Tensor qkv, int heads, boolean[][] keyIsReal, double dropoutP, boolean train, Rng rng) {
        long[] s = qkv.shape();
        int bsz = (int) s[0], t = (int) s[1], c3 = (int) s[2], c = c3 / 3, d = c / heads;
        double scale = 1 / Math.sqrt(d);
        double[] x = Nd.values(qkv.data);
        double[] p = new double[bsz * heads * t * t];           // softmax weights, kept for backward
        // The dropout mask is drawn first, in (b, h, i, j) order on this thread: the same draws as Dropout
        // on the (B, H, T, T) array, whatever the threads do next.
        double[] keep = train && dropoutP > 0 ? dropoutMask(p.length, dropoutP, rng) : null;
        double[] y = new double[bsz * t * c];
        Nd.forRows(bsz * heads, bh -> {
            int b = bh / heads, h = bh % heads;
            double[] q = head(x, b, t, c3, h * d, d), k = head(x, b, t, c3, c + h * d, d), v = head(x, b, t, c3, 2 * c + h * d, d);
            int po = bh * t * t;
            double[] row = new double[t];
            for (int i = 0; i < t; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    if (keyIsReal != null && !keyIsReal[b][j]) continue;   // padding: never attended
                    double dot = 0;
                    for (int e = 0; e < d; e++) dot += q[i * d + e] * k[j * d + e];
                    row[j] = dot * scale;
                    max = Math.max(max, row[j]);
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    if (keyIsReal != null && !keyIsReal[b][j]) continue;
                    double ex = Math.exp(row[j] - max);                       // max subtracted: no overflow
                    p[po + i * t + j] = ex;
                    sum += ex;
                }
                double inv = 1 / sum;
                int yo = (b * t + i) * c + h * d;
                for (int j = 0; j <= i; j++) {
                    double w = p[po + i * t + j] *= inv;
                    if (keep != null) w *= keep[po + i * t + j];
                    if (w == 0) continue;
                    for (int e = 0; e < d; e++) y[yo + e] += w * v[j * d + e];
                }
            }
        });
        Counters.product((long) bsz * heads, t, d, t);
        Counters.product((long) bsz * heads, t, t, d);
        return Tensor.of(Nd.array(y, bsz, t, c), "attention", g -> {
            double[] gy = Nd.values(g), gx = new double[x.length];
            Nd.forRows(bsz * heads, bh -> {
                int b = bh / heads, h = bh % heads;
                double[] q = head(x, b, t, c3, h * d, d), k = head(x, b, t, c3, c + h * d, d), v = head(x, b, t, c3, 2 * c + h * d, d);
                double[] gq = new double[t * d], gk = new double[t * d], gv = new double[t * d], gs = new double[t];
                int po = bh * t * t;
                for (int i = 0; i < t; i++) {
                    int yo = (b * t + i) * c + h * d;
                    // dL/da[i][j] = gy[i] . v[j]; dL/dv[j] += a[i][j] gy[i]; through dropout: times the mask
                    double dot = 0;
                    for (int j = 0; j <= i; j++) {
                        double pij = p[po + i * t + j];
                        if (pij == 0) { gs[j] = 0; continue; }
                        double m = keep == null ? 1 : keep[po + i * t + j];
                        double ga = 0;
                        for (int e = 0; e < d; e++) ga += gy[yo + e] * v[j * d + e];
                        double a = pij * m;
                        if (a != 0) for (int e = 0; e < d; e++) gv[j * d + e] += a * gy[yo + e];
                        gs[j] = ga * m;                                      // dL/dp[i][j]
                        dot += gs[j] * pij;
                    }
                    // softmax backward: ds = p (dp - sum(dp p)), then the scale; masked scores get nothing
                    for (int j = 0; j <= i; j++) {
                        double pij = p[po + i * t + j];
                        if (pij == 0) continue;
                        double ds = pij * (gs[j] - dot) * scale;
                        for (int e = 0; e < d; e++) {
                            gq[i * d + e] += ds * k[j * d + e];
                            gk[j * d + e] += ds * q[i * d + e];
                        }
                    }
                }
                scatter(gx, gq, b, t, c3, h * d, d);
                scatter(gx, gk, b, t, c3, c + h * d, d);
                scatter(gx, gv, b, t, c3, 2 * c + h * d, d);
            });
            Counters.product(4L * bsz * heads, t, t, d);
            qkv.accumulateOwned(Nd.array(gx, s));
        }, qkv);
    }

    /** One head's (T, D) slice of qkv's columns from {@code col}, copied contiguous for the inner loops. */
    private static double[] head(double[] x, int b, int t, int c3, int col, int d) {
        double[] out = new double[t * d];
        for (int i = 0; i < t; i++) System.arraycopy(x, (b * t + i) * c3 + col, out, i * d, d);
        return out;
    }

    private static void scatter(double[] gx, double[] part, int b, int t, int c3, int col, int d) {
        for (int i = 0; i < t; i++) System.arraycopy(part, i * d, gx, (b * t + i) * c3 + col, d);
    }

    static double[] dropoutMask(int n, double p, Rng rng) {
        double[] keep = new double[n];
        double scale = 1 / (1 - p);
        for (int i = 0; i < n; i++) keep[i] = rng.nextDouble() < p ? 0 : scale;
        return keep;
    }
}
