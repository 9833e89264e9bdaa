package minitrain.autograd;

import static minitrain.autograd.SmallGemm.Zeros.A_LOWER;
import static minitrain.autograd.SmallGemm.Zeros.A_UPPER;
import static minitrain.autograd.SmallGemm.Zeros.C_LOWER;

import java.nio.DoubleBuffer;
import minitrain.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Causal self-attention, from the fused projection qkv (B, T, 3C) to the heads' outputs merged back (B, T, C).
 * Per batch row b and head h, with q, k, v the head's (T, D) slices (D = C / H):
 * <pre>
 *   s = q k^T / sqrt(D)            scores, (T, T)
 *   s[i][j] = -inf where j > i or key j is padding   (the attention mask)
 *   p = softmax(s) along j          each query's weights over the keys it may see
 *   a = dropout(p)                  in training only
 *   y = a v                          (T, D), written into y's columns h*D .. h*D+D
 * </pre>
 * {@link #reference} is that list, one small operation per line, and autograd derives its backward. The model
 * runs {@link #apply}, one fused operation that must compute the same (AttentionTest holds the two equal,
 * forward and backward, to 1e-14 relative: the products and the scale are done in another order).
 */
public final class Attention {

    private Attention() {}

    /**
     * The lesson: attention from the kit's small operations, each with its own backward.
     *
     * @param keyIsReal (B, T): true where the position holds a real token; null when nothing is padded
     */
    public static Tensor reference(Tensor qkv, int heads, boolean[][] keyIsReal, double dropoutP, boolean train,
                                   Rng rng) {
        long[] s = qkv.shape();
        long bsz = s[0], t = s[1], c = s[2] / 3, d = c / heads;
        Tensor q = splitHeads(Shape.slice(qkv, 2, 0, c), heads);                      // (B, H, T, D)
        Tensor k = splitHeads(Shape.slice(qkv, 2, c, 2 * c), heads);
        Tensor v = splitHeads(Shape.slice(qkv, 2, 2 * c, 3 * c), heads);
        Tensor scores = MatMul.apply(q, k, true, 1.0 / Math.sqrt(d));                // q k^T / sqrt(D): (B, H, T, T)
        Tensor p = Softmax.softmax(AttentionMask.apply(scores, keyIsReal));
        Tensor a = Dropout.reference(p, dropoutP, train, rng);
        Tensor y = MatMul.apply(a, v);                                               // (B, H, T, D)
        return Shape.reshape(Shape.permute(y, 0, 2, 1, 3), bsz, t, c);                // heads side by side again
    }

    /** (B, T, C) to (B, H, T, D): head h is channels h*D .. h*D+D. */
    private static Tensor splitHeads(Tensor x, int heads) {
        long[] s = x.shape();
        return Shape.permute(Shape.reshape(x, s[0], s[1], heads, s[2] / heads), 0, 2, 1, 3);
    }

    /**
     * The fast kernel; it must equal {@link #reference}. What it does differently, and why:
     * <ul>
     *   <li>No copies: each head's q, k and v are read in place from qkv as (T, D) blocks of its rows
     *       ({@link Blas} takes a matrix inside a larger array), and each head's output is written in place
     *       into its columns of y.
     *   <li>The heads are independent, so they are shared between the cores; one head's products, mask, softmax
     *       and dropout run one after the other while its (T, T) scores are still in the cache.
     *   <li>A query sees no key after it, so half of each (T, T) matrix is zeros or not wanted: the products
     *       say so ({@link SmallGemm.Zeros}), and the kit's small-product kernel skips those sums, the other
     *       sums' bits unchanged. OpenBLAS computes them all.
     *   <li>Where the kit's small products run, the loops run in C too (lib/src/main/c/attention.c), in the Java
     *       loops' operations and order, but for the softmax's exp: C cannot promise {@code Math.exp}'s bits, so C
     *       writes each head's exponents to a heap array and Java takes their exp there.
     * </ul>
     */
    public static Tensor apply(Tensor qkv, int heads, boolean[][] keyIsReal, double dropoutP, boolean train,
                               Rng rng) {
        return apply(qkv, heads, keyIsReal, dropoutP, train, rng, true);
    }

    /** {@link #apply}, with the loops in C where they can be ({@code inC}) or in Java (NativeTest compares them). */
    static Tensor apply(Tensor qkv, int heads, boolean[][] keyIsReal, double dropoutP, boolean train, Rng rng,
                        boolean inC) {
        long[] s = qkv.shape();
        int bsz = (int) s[0], t = (int) s[1], c = (int) s[2] / 3, d = c / heads, bh = bsz * heads;
        INDArray x = Nd.contiguous(qkv.data);                                   // (B, T, 3C)
        // In (b, h, i, j) order, so the same draws as Dropout on the (B, H, T, T) array.
        INDArray keep = train && dropoutP > 0 ? Dropout.mask(new long[] {bh, t, t}, dropoutP, rng) : null;
        INDArray probs = Nd.uninitialized(bh, t, t);
        INDArray weights = keep == null ? probs : Nd.uninitialized(bh, t, t);            // the weights y uses
        Heads h = new Heads(x, probs, weights, keep, heads, t, c, 1 / Math.sqrt(d));
        // The loops in C only beside the kit's small products, whose order their products need (all six products of a
        // head have T T D multiply-adds); not under the drift lab's 16-bit products.
        boolean loopsInC = inC && Blas.inFp64() && SmallGemm.takes(t, t, d, 0);
        INDArray y = Nd.uninitialized(bsz, t, c);
        if (loopsInC) h.forwardInC(keyIsReal, y);
        else h.forwardInJava(keyIsReal, y);
        OpHook.countProducts(2L * bh, t, d, t);
        return Tensor.of(y, "attention", g -> {
            INDArray gy = Nd.contiguous(g);                                     // (B, T, C), read like y
            INDArray grads = Nd.uninitialized(bsz, t, 3 * c);                   // dL/dq, dL/dk, dL/dv laid out as qkv
            INDArray gScores = Nd.uninitialized(bh, t, t);
            // Asked again: a 16-bit hook installed since the forward has the Java loops' products in its format.
            if (loopsInC && Blas.inFp64()) h.backwardInC(gy, gScores, grads);
            else h.backwardInJava(gy, gScores, grads);
            OpHook.countProducts(4L * bh, t, t, d);
            java.lang.ref.Reference.reachabilityFence(gy);
            qkv.accumulate(grads);
        }, qkv);
    }

    /**
     * One layer's heads: qkv x (B, T, 3C); per head n = b*H + h, its softmax's probs and the weights y uses (dropout's
     * a = p * mask, or probs itself), and the mask (null without dropout), each (B H, T, T), head n's at n*T*T.
     */
    private record Heads(INDArray x, INDArray probs, INDArray weights, INDArray keep, int heads, int t, int c,
                         double scale) {

        int count() {
            return (int) (probs.length() / ((long) t * t));
        }

        /** Where head n finds q in qkv: row b*T, column h*D (k C and v 2C further on), rows 3C apart. */
        long qAt(int n) {
            return (long) (n / heads) * t * 3 * c + (long) (n % heads) * (c / heads);
        }

        /** Where head n's output goes in y: row b*T, column h*D, rows C apart. */
        long yAt(int n) {
            return (long) (n / heads) * t * c + (long) (n % heads) * (c / heads);
        }

        /** Each head's scores, softmax, dropout and y = a v, into y; in Java (and OpenBLAS's or the kit's products). */
        void forwardInJava(boolean[][] keyIsReal, INDArray y) {
            int d = c / heads, tt = t * t;
            DoubleBuffer p = Nd.buffer(probs), a = Nd.buffer(weights), kept = keep == null ? null : Nd.buffer(keep);
            Nd.forRows(count(), n -> {
                long qn = qAt(n);
                int sn = n * tt, b = n / heads;
                Blas.gemm(C_LOWER, false, true, t, t, d, x, qn, 3 * c, x, qn + c, 3 * c, 0, probs, sn, t);  // q k^T
                double[] sc = Nd.scratch(0, tt);                                   // this head's (T, T) scores
                p.get(sn, sc, 0, tt);
                for (int i = 0; i < t; i++) {
                    int o = i * t;
                    // Scale and mask, then softmax over the keys this query may see, in place: the scores become
                    // the weights p. The keys it may not see get weight exactly 0.
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        if (keyIsReal != null && !keyIsReal[b][j]) continue;                // padding: never attended
                        max = Math.max(max, sc[o + j] * scale);
                    }
                    double sum = 0;
                    for (int j = 0; j < t; j++) {
                        boolean seen = j <= i && (keyIsReal == null || keyIsReal[b][j]);
                        double ex = seen ? Math.exp(sc[o + j] * scale - max) : 0;      // max subtracted: no overflow
                        sc[o + j] = ex;
                        sum += ex;
                    }
                    double inv = 1 / sum;
                    for (int j = 0; j < t; j++) sc[o + j] *= inv;
                }
                p.put(sn, sc, 0, tt);
                if (keep != null) {                                                 // dropout on the weights
                    double[] mask = Nd.scratch(1, tt);
                    kept.get(sn, mask, 0, tt);
                    for (int k = 0; k < tt; k++) sc[k] *= mask[k];
                    a.put(sn, sc, 0, tt);
                }
                // y = a v, into this head's columns of y
                Blas.gemm(A_LOWER, false, false, t, d, t, weights, sn, t, x, qn + 2L * c, 3 * c, 0, y, yAt(n), c);
            });
        }

        /**
         * {@link #forwardInJava} with its loops in C: per head, C computes the scores and writes the exponents of
         * the keys the query sees (score * scale - max) to a heap array, row after row; Java takes their exp in
         * place; C sums, divides, applies dropout and multiplies by v.
         */
        void forwardInC(boolean[][] keyIsReal, INDArray y) {
            byte[] real = keyIsReal == null ? null : new byte[keyIsReal.length * t];   // keyIsReal as (B, T) bytes
            for (int b = 0; real != null && b < keyIsReal.length; b++) {
                for (int j = 0; j < t; j++) real[b * t + j] = keyIsReal[b][j] ? (byte) 1 : 0;
            }
            long x0 = Native.address(x, 0), p0 = Native.address(probs, 0), a0 = Native.address(weights, 0);
            long m0 = keep == null ? 0 : Native.address(keep, 0), y0 = Native.address(y, 0);
            Nd.forRows(count(), n -> {
                double[] z = Nd.scratch(0, t * t);
                int seen = Native.attentionScores(x0, p0, real, heads, t, c, scale, n, z);
                for (int k = 0; k < seen; k++) z[k] = Math.exp(z[k]);              // Java's exp, its bits
                if (seen < 0 || Native.attentionWeights(x0, p0, a0, m0, real, y0, heads, t, c, n, z) != 0) {
                    throw new OutOfMemoryError("attention found no native memory for its copies");
                }
            });
            java.lang.ref.Reference.reachabilityFence(this);
            java.lang.ref.Reference.reachabilityFence(y);
        }

        /** The gradients of qkv into grads, dL/da and dL/ds into gScores on the way; in Java. */
        void backwardInJava(INDArray gy, INDArray gScores, INDArray grads) {
            int d = c / heads, tt = t * t;
            DoubleBuffer ds = Nd.buffer(gScores), pb = Nd.buffer(probs), kept = keep == null ? null : Nd.buffer(keep);
            Nd.forRows(count(), n -> {
                long qn = qAt(n), on = yAt(n);
                int sn = n * tt;
                // dL/da = gy v^T, then dL/dv = a^T gy
                Blas.gemm(C_LOWER, false, true, t, t, d, gy, on, c, x, qn + 2L * c, 3 * c, 0, gScores, sn, t);
                Blas.gemm(A_UPPER, true, false, t, d, t, weights, sn, t, gy, on, c, 0, grads, qn + 2L * c, 3 * c);
                double[] dv = Nd.scratch(0, tt), pv = Nd.scratch(1, tt);
                double[] mask = keep == null ? null : Nd.scratch(2, tt);
                ds.get(sn, dv, 0, tt);
                pb.get(sn, pv, 0, tt);
                if (keep != null) kept.get(sn, mask, 0, tt);
                for (int i = 0; i < t; i++) {
                    int o = i * t;
                    // In place, dL/da becomes dL/ds: through dropout dL/dp = dL/da * mask; through softmax
                    // ds = p (dp - sum_j dp p); then the scale. A masked score has p = 0 and gets nothing: the keys
                    // past the query (j > i) get 0 without a look at dL/da there, which need not be computed.
                    double dot = 0;
                    for (int j = 0; j <= i; j++) {
                        double dp = keep == null ? dv[o + j] : dv[o + j] * mask[o + j];
                        dv[o + j] = dp;
                        dot += dp * pv[o + j];
                    }
                    for (int j = 0; j <= i; j++) dv[o + j] = pv[o + j] * (dv[o + j] - dot) * scale;
                    java.util.Arrays.fill(dv, o + i + 1, o + t, 0.0);
                }
                ds.put(sn, dv, 0, tt);
                // dL/dq = ds k, then dL/dk = ds^T q
                Blas.gemm(A_LOWER, false, false, t, d, t, gScores, sn, t, x, qn + c, 3 * c, 0, grads, qn, 3 * c);
                Blas.gemm(A_UPPER, true, false, t, d, t, gScores, sn, t, x, qn, 3 * c, 0, grads, qn + c, 3 * c);
            });
        }

        /** {@link #backwardInJava}, a head a call to C: the same products, and the loop in its operations and order. */
        void backwardInC(INDArray gy, INDArray gScores, INDArray grads) {
            long x0 = Native.address(x, 0), g0 = Native.address(gy, 0), p0 = Native.address(probs, 0);
            long a0 = Native.address(weights, 0), m0 = keep == null ? 0 : Native.address(keep, 0);
            long s0 = Native.address(gScores, 0), d0 = Native.address(grads, 0);
            Nd.forRows(count(), n -> {
                if (Native.attentionBackward(x0, g0, p0, a0, m0, s0, d0, heads, t, c, scale, n) != 0) {
                    throw new OutOfMemoryError("attention's backward found no native memory for its copies");
                }
            });
            java.lang.ref.Reference.reachabilityFence(this);
            java.lang.ref.Reference.reachabilityFence(gy);
            java.lang.ref.Reference.reachabilityFence(gScores);
            java.lang.ref.Reference.reachabilityFence(grads);
        }
    }
}
