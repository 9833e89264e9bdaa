package minitrain.autograd;

/**
 * Masks attention scores (B, H, T, T) with -infinity where a query must not look: keys in its future
 * (causal), and keys that are padding. Softmax then gives those keys weight 0, so no real token ever reads
 * from a later token or from a pad. Backward passes the gradient through the visible scores only. A step
 * of {@link Attention#reference}; the fused kernel masks as it computes the softmax.
 */
public final class AttentionMask {

    private AttentionMask() {}

    /**
     * @param keyIsReal (B, T): true where the position holds a real token; null when nothing is padded
     */
    public static Tensor apply(Tensor scores, boolean[][] keyIsReal) {
        long[] s = scores.shape();
        int bsz = (int) s[0], heads = (int) s[1], t = (int) s[2];
        double[] v = Nd.values(scores.data);
        fillHidden(v, bsz, heads, t, keyIsReal, Double.NEGATIVE_INFINITY);
        return Tensor.of(Nd.array(v, s), "attention_mask", g -> {
            double[] gv = Nd.values(g);
            fillHidden(gv, bsz, heads, t, keyIsReal, 0.0); // no gradient reaches a hidden score
            scores.accumulate(Nd.array(gv, s));
        }, scores);
    }

    /** Writes {@code value} where query i may not see key j: j > i (the future) or key j is padding. */
    private static void fillHidden(double[] a, int bsz, int heads, int t, boolean[][] keyIsReal, double value) {
        for (int row = 0; row < bsz * heads * t; row++) {
            int b = row / (heads * t), i = row % t, o = row * t;
            for (int j = 0; j < t; j++) {
                if (j > i || (keyIsReal != null && !keyIsReal[b][j])) a[o + j] = value;
            }
        }
    }
}
