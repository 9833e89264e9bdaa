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
            // Row i of this head's q, k and v starts at x[base + i * c3 + (0, c or 2c)]: d contiguous values.
            int base = b * t * c3 + h * d, qo = base, ko = base + c, vo = base + 2 * c;
            int po = bh * t * t;
            double[] row = new double[t];
            for (int i = 0; i < t; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    if (keyIsReal != null && !keyIsReal[b][j]) continue;   // padding: never attended
                    double dot = 0;
                    int qi = qo + i * c3, kj = ko + j * c3;
                    for (int e = 0; e < d; e++) dot += x[qi + e] * x[kj + e];
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
                    int vj = vo + j * c3;
                    for (int e = 0; e < d; e++) y[yo + e] += w * x[vj + e];
                }
            }
        });
        Counters.product((long) bsz * heads, t, d, t);
        Counters.product((long) bsz * heads, t, t, d);
        return Tensor.of(Nd.array(y, bsz, t, c), "attention", g -> {
            double[] gy = Nd.values(g), gx = new double[x.length];
            Nd.forRows(bsz * heads, bh -> {
                int b = bh / heads, h = bh % heads;
                // The same offsets serve x and its gradient gx: each (b, h) owns its columns, so no two
                // threads ever write the same element.
                int base = b * t * c3 + h * d, qo = base, ko = base + c, vo = base + 2 * c;
                double[] gs = new double[t];
                int po = bh * t * t;
                for (int i = 0; i < t; i++) {
                    int yo = (b * t + i) * c + h * d;
                    // dL/da[i][j] = gy[i] . v[j]; dL/dv[j] += a[i][j] gy[i]; through dropout: times the mask
                    double dot = 0;
                    for (int j = 0; j <= i; j++) {
                        double pij = p[po + i * t + j];
                        if (pij == 0) { gs[j] = 0; continue; }
                        double m = keep == null ? 1 : keep[po + i * t + j];
                        int vj = vo + j * c3;
                        double ga = 0;
                        for (int e = 0; e < d; e++) ga += gy[yo + e] * x[vj + e];
                        double a = pij * m;
                        if (a != 0) for (int e = 0; e < d; e++) gx[vj + e] += a * gy[yo + e];
                        gs[j] = ga * m;                                      // dL/dp[i][j]
                        dot += gs[j] * pij;
                    }
                    // softmax backward: ds = p (dp - sum(dp p)), then the scale; masked scores get nothing
                    for (int j = 0; j <= i; j++) {
                        double pij = p[po + i * t + j];
                        if (pij == 0) continue;
                        double ds = pij * (gs[j] - dot) * scale;
                        int qi = qo + i * c3, kj = ko + j * c3;
                        for (int e = 0; e < d; e++) {
                            gx[qi + e] += ds * x[kj + e];
                            gx[kj + e] += ds * x[qi + e];
                        }
                    }
                }
            });
            Counters.product(4L * bsz * heads, t, t, d);
            qkv.accumulateOwned(Nd.array(gx, s));
        }, qkv);
    }

    static double[] dropoutMask(int n, double p, Rng rng) {
        double[] keep = new double[n];
        double scale = 1 / (1 - p);
        for (int i = 0; i < n; i++) keep[i] = rng.nextDouble() < p ? 0 : scale;
        return keep;
    }
}
