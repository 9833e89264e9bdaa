package minitrain.autograd;

import java.lang.ref.Reference;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Portable mode's matrix products, faster on CPUs with AVX-512: the kit's own kernel in C
 * (lib/src/main/c/avx512_gemm.c), which sums each element in the order OpenBLAS's Haswell kernels do
 * ({@code HaswellOrderTest} writes that order out) and so gives the same bits, with 8 doubles a vector
 * where those kernels use 4. {@link Blas} hands it a product when {@link #ACTIVE}; else OpenBLAS computes it.
 *
 * <p>Active only when all of these hold, and each failure leaves the products to OpenBLAS, the same bits:
 * OpenBLAS runs its Haswell kernels (portable mode, bin/blas-env: the only order the kernel copies); the kit's C
 * library is loaded ({@link Native}); and the CPU and the operating system have AVX-512.
 */
public final class Avx512Gemm {

    private Avx512Gemm() {}

    /** Which kernels compute the products in this JVM, for the bench's line: {@code avx512} or {@code openblas}. */
    public static String products() {
        return ACTIVE ? "avx512" : "openblas";
    }

    /**
     * The fewest multiply-adds (m n k) of a product the kernel takes; smaller ones go to {@link SmallGemm}.
     * Attention's products (a head's (T, T) scores: some 40 thousand) were slower with this kernel in the shipped
     * step (attention backward 6.9-7.4 against 5.3-6.0 ms with OpenBLAS): each call copies A and B into panels.
     * Linear's have 6 million and more.
     */
    static final long SMALLEST = 1 << 20;

    /** Whether the kit's kernel computes portable mode's products in this JVM. */
    static final boolean ACTIVE = Blas.HASWELL_ORDER && Native.LOADED && supported();

    /** Whether this CPU has AVX-512 and the operating system keeps its registers. */
    private static native boolean supported();

    /** The kernel on native addresses; 0, or -1 when it could not get memory for its copies. */
    private static native int gemm(boolean transA, boolean transB, int m, int n, int k, long a, int lda, long b,
                                   int ldb, double beta, long bias, long c, int ldc);

    /**
     * C = op(A) op(B) + beta C as {@link Blas#gemm} takes it, beta 0 or 1 and an even number of rows m: OpenBLAS
     * sums an odd last row in another order, so Blas leaves that row to OpenBLAS. With a bias (a dense row of n
     * values, else null) C = bias + op(A) op(B) in every row instead, beta unread: the bits of setting every row
     * to the bias and adding the product (beta 1), without the pass that sets them.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                     double beta, INDArray bias, INDArray c, long offC, int ldc) {
        if (gemm(transA, transB, m, n, k, Native.address(a, offA), lda, Native.address(b, offB), ldb, beta,
                bias == null ? 0 : Native.address(bias, 0), Native.address(c, offC), ldc) != 0) {
            throw new OutOfMemoryError("the AVX-512 products found no native memory for their copies of A and B");
        }
        // The arrays own the memory the kernel read and wrote: kept reachable until it returned, or the
        // collector could free it under the kernel.
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(c);
        Reference.reachabilityFence(bias);
    }
}
