package minitrain.autograd;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kit's C library (lib/src/main/c): kernels that give exactly the bits of the Java or OpenBLAS code they stand
 * in for, faster. {@link Avx512Gemm}'s and {@link SmallGemm}'s products, GELU's forward ({@link #gelu}), the
 * value-by-value adds and products ({@link #pairwise}), dropout's mask ({@link #dropout}), layer norm's loops,
 * attention's loops and the bias gradient's sums. Maven compiles it into the jar on Linux x86-64 with a C compiler
 * (lib/src/main/c/build); anywhere it is missing, or with {@code -Dminitrain.native=false} (for comparing, as
 * docs/performance.md does), the Java and OpenBLAS code runs, with the same bits.
 */
final class Native {

    private Native() {}

    /** The library inside the jar (lib/pom.xml puts it there). */
    static final String LIBRARY = "/minitrain/native/libminitrain.so";

    /** Whether the library is loaded in this JVM. */
    static final boolean LOADED = !"false".equals(System.getProperty("minitrain.native")) && load();

    /**
     * Loads the library from the jar: copied to a temporary file, loaded, and the file deleted at once (the
     * loaded library stays mapped), so no file is left behind. False, with a line on stderr, when it cannot be.
     */
    private static boolean load() {
        String arch = System.getProperty("os.arch");
        if (!"Linux".equals(System.getProperty("os.name")) || !("amd64".equals(arch) || "x86_64".equals(arch))) {
            return false;
        }
        try (InputStream in = Native.class.getResourceAsStream(LIBRARY)) {
            if (in == null) return false;   // not built here; the build said why
            Path copy = Files.createTempFile("minitrain", ".so");
            try {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                System.load(copy.toString());
            } finally {
                Files.deleteIfExists(copy);
            }
            return true;
        } catch (IOException | UnsatisfiedLinkError e) {
            System.err.println("minitrain: the kit's C kernels did not load (" + e.getMessage()
                    + "): the Java and OpenBLAS code runs instead, with the same bits");
            return false;
        }
    }

    /**
     * GELU's forward over values from..to-1 of native arrays: y = x Phi(x) and slope = Phi(x) + x phi(x), the
     * operations of {@link NormalCdf} and {@link Gelu} in the same order (lib/src/main/c/gelu.c).
     */
    static native void gelu(long x, long y, long slope, long n);

    /** out = x * y (product) or x + y, value by value, over n values of native arrays (lib/src/main/c/pairwise.c). */
    static native void pairwise(long x, long y, long out, long n, boolean product);

    /**
     * Dropout's mask over n values of native arrays, from the Rng's number {@code from} after {@code start}: 0
     * where the number is below threshold / 2^53, else the double whose bits are {@code valueBits}; and y = x * mask
     * when x is not 0 (lib/src/main/c/dropout.c; {@link minitrain.Rng.Block#mask} is the same in Java).
     */
    static native void dropout(long start, long from, long n, long threshold, long valueBits, long mask, long x,
                               long y);

    /**
     * Layer norm's loops over native arrays, as {@link LayerNorm#apply} runs them in Java (lib/src/main/c/layernorm.c):
     * the forward of {@code rows} rows (xhat, y and 1/std a row), dx of {@code rows} rows (plus prior, when not 0),
     * and the parameter gradients' sums over all rows.
     */
    static native void layerNormForward(long x, long xhat, long y, long rstd, long w, long b, int rows, int c,
                                        double eps);

    static native void layerNormBackward(long g, long xhat, long rstd, long w, long prior, long dx, int rows, int c);

    static native void layerNormParameters(long g, long xhat, long dw, long db, int rows, int c);

    /**
     * db += the sums of the columns from..from+cols-1 of the (rows, width) array g, in OpenBLAS's order
     * ({@link ColumnSums}; lib/src/main/c/column_sums.c): 0, or -1 when it found no memory for its partial sums.
     */
    static native int columnSums(long g, int rows, int width, int from, int cols, long db);

    /**
     * Head n's scores in attention, as {@link Attention}'s Java loop computes them (lib/src/main/c/attention.c): q k^T
     * into probs (from qkv x), then, row after row, score * scale - max for each key the query sees (j <= i and
     * real[b T + j] not 0, real null when nothing is padded) into z, in order: returns how many, or -1 when out of
     * memory. Java then takes their exp in z, and {@link #attentionWeights} goes on.
     */
    static native int attentionScores(long x, long probs, byte[] real, int heads, int t, int c, double scale, int n,
                                      double[] z);

    /**
     * Head n's softmax from the exps in z (as {@link #attentionScores} left them): each row divided by its sum into
     * probs, times the dropout mask into weights (mask 0: none, and weights is probs), then y = weights v. 0, or -1
     * when out of memory.
     */
    static native int attentionWeights(long x, long probs, long weights, long mask, byte[] real, long y, int heads,
                                       int t, int c, int n, double[] z);

    /**
     * Head n's backward in attention, as {@link Attention}'s Java loop computes it (lib/src/main/c/attention.c):
     * dL/dq, dL/dk, dL/dv into grads, from qkv x, the output's gradient gy, the softmax's probs, the weights (the
     * same array without dropout) and the mask (0 without), scores the head's scratch for dL/da and dL/ds. Only where
     * {@link SmallGemm} is active. 0, or -1 when it found no memory for its copies.
     */
    static native int attentionBackward(long x, long gy, long probs, long weights, long mask, long scores, long grads,
                                        int heads, int t, int c, double scale, int n);

    /** The native address of the array's value number {@code offset}; the array must stay reachable while used. */
    static long address(INDArray a, long offset) {
        if (!Nd.dense(a)) {
            throw new IllegalArgumentException("the C kernels need a dense C-ordered array, got "
                    + a.shapeInfoToString());
        }
        return a.data().address() + (a.offset() + offset) * Double.BYTES;
    }
}
