package minitrain.autograd;

import java.lang.ref.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Portable mode's small products (attention's, a head at a time): the kit's kernel in C
 * (lib/src/main/c/small_gemm.c), OpenBLAS's Haswell bits without OpenBLAS's copies into panels, which for a
 * product this small cost as much as its sums. {@link Blas} hands it every product below
 * {@link Avx512Gemm#SMALLEST} multiply-adds when {@link #ACTIVE}; else OpenBLAS computes it.
 *
 * <p>Every row, an odd last one too: OpenBLAS sums that row as a tile of one row, in another order, which the kernel
 * copies (small_gemm.c says both orders; SmallGemmTest compares every element with OpenBLAS's).
 *
 * <p>Active only when OpenBLAS runs its Haswell kernels (portable mode, the order the kernel copies), the kit's C
 * library is loaded ({@link Native}), and the CPU has AVX2 and FMA, as every CPU portable mode is for does.
 */
final class SmallGemm {

    private SmallGemm() {}

    /**
     * Zeros of a causal product that the kernel may skip, and with them about half of attention's sums. Skipping a
     * value of A that is exactly 0 drops a term 0 * b from a chain that starts at +0 and never reaches -0, so every
     * other bit is the one OpenBLAS computes with that term (unless b is infinite or NaN, and then the loss is not
     * finite anyway). Other kernels compute the whole product; the bits where both are asked for are the same.
     */
    enum Zeros {
        /** No zeros to skip: the whole product. */
        NONE,
        /** op(A)'s values past its diagonal (row i's p > i) are 0: attention's weights, dL/ds. */
        A_LOWER,
        /** op(A)'s values before its diagonal (p < i) are 0: the transposes of those. */
        A_UPPER,
        /** Only C's values up to its diagonal (j <= i) are wanted: the rest may be left as they were. */
        C_LOWER
    }

    /** Whether the kit's kernel computes portable mode's small products in this JVM. */
    static final boolean ACTIVE = Blas.HASWELL_ORDER && Native.LOADED && supported();

    /** Whether this CPU has AVX2 and FMA. */
    private static native boolean supported();

    /** The kernel on native addresses; 0, or -1 when it could not get memory for its copy of B. */
    private static native int gemm(boolean transA, boolean transB, int m, int n, int k, long a, int lda, long b,
                                   int ldb, double beta, long c, int ldc, int zeros);

    /** Whether the kernel takes this product: when active, for beta 0 or 1 and fewer than SMALLEST multiply-adds. */
    static boolean takes(int m, int n, int k, double beta) {
        return ACTIVE && (beta == 0 || beta == 1) && (long) m * n * k < Avx512Gemm.SMALLEST;
    }

    /** C = op(A) op(B) + beta C as {@link Blas#gemm} takes it, beta 0 or 1, skipping the given zeros. */
    static void gemm(Zeros zeros, boolean transA, boolean transB, int m, int n, int k,
                     INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                     double beta, INDArray c, long offC, int ldc) {
        if (gemm(transA, transB, m, n, k, Native.address(a, offA), lda, Native.address(b, offB), ldb, beta,
                Native.address(c, offC), ldc, zeros.ordinal()) != 0) {
            throw new OutOfMemoryError("the small products found no native memory for their copy of B");
        }
        // The arrays own the memory the kernel read and wrote: kept reachable until it returned.
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(c);
    }
}
