package minitrain.autograd;

/**
 * Masks attention scores (B, H, T, T) with -infinity where a query must not look: keys in its future
 * (causal), and keys that are padding. Softmax then gives those keys weight 0, so no real token ever reads
 * from a later token or from a pad. Backward passes the gradient through the visible scores only.
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
        boolean[] visible = visible(bsz, heads, t, keyIsReal);
        for (int i = 0; i < v.length; i++) if (!visible[i]) v[i] = Double.NEGATIVE_INFINITY;
        return Tensor.of(Nd.array(v, s), "attention_mask", g -> {
            double[] gv = Nd.values(g);
            for (int i = 0; i < gv.length; i++) if (!visible[i]) gv[i] = 0;
            scores.accumulate(Nd.array(gv, s));
        }, scores);
    }

    /** visible[((b * H + h) * T + i) * T + j]: query i may attend to key j. */
    static boolean[] visible(int bsz, int heads, int t, boolean[][] keyIsReal) {
        boolean[] vis = new boolean[bsz * heads * t * t];
        for (int b = 0; b < bsz; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < t; i++)
                    for (int j = 0; j <= i; j++) // causal: j <= i
                        vis[((b * heads + h) * t + i) * t + j] = keyIsReal == null || keyIsReal[b][j];
        return vis;
    }
}
