package minitrain.autograd;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;

import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every matrix product of the model: C = op(A) op(B) + beta C, with op(X) = X or X^T, handed straight to
 * OpenBLAS's dgemm (the same library ND4J calls underneath). Each matrix is given as an array, the offset of
 * its first value and the distance between its rows, so a matrix can sit inside a larger array: one head's
 * q is the (T, D) block of columns h*D .. h*D+D of qkv's rows, read in place with row distance 3C.
 *
 * <p>Why not ND4J's gemm and matmul: splitting qkv into per-head copies for one batched ND4J matmul costs
 * several times the products read in place (docs/performance.md), and each ND4J call also builds an operation
 * and its shape descriptions before it reaches dgemm. {@link MatMul}, the readable batched product the
 * references use, is ND4J's.
 *
 * <p>In portable mode the kit's own kernels compute the products instead, the same bits in less time: the small ones
 * (attention's) {@link SmallGemm}, on any CPU with AVX2; on a CPU with AVX-512 the large ones {@link Avx512Gemm}.
 *
 * <p>When the active {@link OpHook} names a 16-bit format (the drift lab's arithmetic model) the product is
 * computed by ND4J in that format instead, on views of the same matrices.
 */
final class Blas {

    private Blas() {}

    /**
     * Whether OpenBLAS runs its Haswell kernels (portable mode, bin/blas-env), whose order of sums the kit's own
     * kernels copy ({@link Avx512Gemm}, {@link ColumnSums}): in another mode OpenBLAS computes every product.
     */
    static final boolean HASWELL_ORDER = "haswell".equalsIgnoreCase(System.getenv("OPENBLAS_CORETYPE"));

    /**
     * Whether products are fp64 now: false while a hook names a 16-bit format (the drift lab's), which has every
     * product computed by ND4J in that format; other hooks (bench's counters) change nothing.
     */
    static boolean inFp64() {
        OpHook hook = OpHook.active();
        return hook == null || hook.productFormat() == null;
    }

    /**
     * How those kernels cut a product's shared dimension k: the length of the block that starts with {@code left}
     * values of k to go, 256 while 512 or more are left, the last stretch between 256 and 512 in two halves
     * rounded up to 4 (HaswellOrderTest; lib/src/main/c/k_block.h is the same rule in C).
     */
    static int kBlock(int left) {
        if (left >= 512) return 256;
        if (left > 256) return (left / 2 + 3) / 4 * 4;
        return left;
    }

    /**
     * C = op(A) op(B) + beta C for an (m, n) C, k the shared dimension. {@code a}, {@code b} and {@code c}
     * are dense C-ordered arrays; offA, lda (and so on) place the matrix inside them, in values. Safe to
     * call from both cores at once for different parts of C.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                     double beta, INDArray c, long offC, int ldc) {
        gemm(SmallGemm.Zeros.NONE, transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }

    /**
     * The same product, of a causal pair (attention's): the kit's small-product kernel may skip the zeros named (and
     * leave C's values it was told are not wanted as they were); other kernels compute the whole product.
     */
    static void gemm(SmallGemm.Zeros zeros, boolean transA, boolean transB, int m, int n, int k,
                     INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                     double beta, INDArray c, long offC, int ldc) {
        OpHook hook = OpHook.active();
        DataType format = hook == null ? null : hook.productFormat();
        if (format != null) {
            INDArray av = view(a, offA, transA ? k : m, transA ? m : k, lda);
            INDArray bv = view(b, offB, transB ? n : k, transB ? k : n, ldb);
            INDArray cv = view(c, offC, m, n, ldc);
            INDArray p = Nd4j.matmul(av.castTo(format), bv.castTo(format), transA, transB, false)
                    .castTo(DataType.DOUBLE);
            cv.assign(beta == 0 ? p : cv.mul(beta).addi(p));
            return;
        }
        if (SmallGemm.takes(m, n, k, beta)) {
            SmallGemm.gemm(zeros, transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            return;
        }
        int done = beta == 0 || beta == 1
                ? onKernel(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, null, c, offC, ldc) : 0;
        if (done == m) return;
        openBlas(transA, transB, m - done, n, k, a, offA + (transA ? done : (long) done * lda), lda, b, offB, ldb,
                beta, c, offC + (long) done * ldc, ldc);
    }

    /**
     * The rows of the product the kit's kernel ({@link Avx512Gemm}) computes, when it takes the product: all but
     * an odd last row, which OpenBLAS sums in another order (a tile of one row) and so stays OpenBLAS's. Returns
     * how many rows it computed, from the first: 0 when the kernel is off or the product too small for it.
     */
    private static int onKernel(boolean transA, boolean transB, int m, int n, int k,
                                INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                                double beta, INDArray bias, INDArray c, long offC, int ldc) {
        if (!Avx512Gemm.ACTIVE || (long) m * n * k < Avx512Gemm.SMALLEST) return 0;
        int even = m & ~1;
        if (even > 0) Avx512Gemm.gemm(transA, transB, even, n, k, a, offA, lda, b, offB, ldb, beta, bias, c, offC, ldc);
        return even;
    }

    /**
     * C = bias + op(A) op(B) in every row of C, the bias a dense row of n values: Linear's forward. The bits of
     * setting each row to the bias and adding the product into it (beta 1), which is what it does unless the
     * kit's kernel takes the product ({@link Avx512Gemm}): that one adds the product to the bias itself, saving
     * a pass over C.
     */
    static void gemmOnBias(boolean transA, boolean transB, int m, int n, int k,
                           INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                           INDArray bias, INDArray c, long offC, int ldc) {
        // The first row not computed by the kernel, from which rows are set to the bias here.
        int first = inFp64() ? onKernel(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, 1, bias, c, offC, ldc) : 0;
        if (first == m) return;
        double[] row = Nd.values(bias);
        DoubleBuffer to = Nd.buffer(c);
        for (int r = first; r < m; r++) to.put((int) (offC + (long) r * ldc), row);
        gemm(transA, transB, m - first, n, k, a, offA + (transA ? first : (long) first * lda), lda, b, offB, ldb, 1,
                c, offC + (long) first * ldc, ldc);
    }

    /** The same product by OpenBLAS's dgemm, whatever {@link Avx512Gemm} does (its test compares the two). */
    static void openBlas(boolean transA, boolean transB, int m, int n, int k,
                         INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                         double beta, INDArray c, long offC, int ldc) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                1.0, at(0, a, offA), lda, at(1, b, offB), ldb, beta, at(2, c, offC), ldc);
    }

    /**
     * The array's native memory from its value number {@code offset} on, as product argument {@code slot} (A, B or C:
     * 0, 1, 2) reads it; dgemm reads the buffer's position, so two arguments in one array (attention's q and k, both
     * in qkv) need two buffers.
     */
    private static DoubleBuffer at(int slot, INDArray a, long offset) {
        return RECENT.get()[slot].buffer(a).position((int) offset);
    }

    /**
     * This thread's buffers over the last arrays it multiplied, per argument. A buffer costs four objects (ND4J's
     * pointer, a byte buffer, a double buffer and its slice), and attention asks for three a product, six products a
     * head: thousands a step, a megabyte of garbage for the collector. An array is looked up by identity, and its
     * buffer is this thread's own, so setting its position races with no other core.
     */
    private static final ThreadLocal<Recent[]> RECENT =
            ThreadLocal.withInitial(() -> new Recent[] {new Recent(), new Recent(), new Recent()});

    private static final class Recent {
        private final INDArray[] arrays = new INDArray[2];
        private final DoubleBuffer[] buffers = new DoubleBuffer[2];
        private int next;

        DoubleBuffer buffer(INDArray a) {
            for (int i = 0; i < arrays.length; i++) if (arrays[i] == a) return buffers[i];
            int i = next;
            next = (next + 1) % arrays.length;
            arrays[i] = a;
            return buffers[i] = Nd.buffer(a);
        }
    }

    /** A (rows, cols) view of the matrix at {@code offset} with row distance {@code ld}. */
    private static INDArray view(INDArray a, long offset, int rows, int cols, int ld) {
        if (!Nd.dense(a)) {
            throw new IllegalArgumentException("Blas needs a dense C-ordered array, got " + a.shapeInfoToString());
        }
        return Nd4j.create(a.data(), new long[] {rows, cols}, new long[] {ld, 1}, a.offset() + offset, 'c');
    }
}
