package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The order in which portable mode's products sum their terms, written out and checked bit for bit: why their
 * bits do not depend on the CPU's vector width, and what a faster kernel must copy to keep the committed model's
 * bytes, as the kit's AVX-512 kernel ({@link Avx512Gemm}) does (docs/performance.md, "Matrix products"). It
 * checks OpenBLAS itself ({@link Blas#openBlas}); Avx512GemmTest checks the kernel against OpenBLAS.
 *
 * <p>OpenBLAS 0.3.19's Haswell kernels compute each element of C as one chain of fused multiply-adds,
 * acc = fma(a_p, b_p, acc) from acc = 0 in the order of p, added to C at the end. The shared dimension k is
 * cut into blocks (256 at a time while 512 or more are left; the last stretch between 256 and 512 in two
 * halves rounded up to 4), each block its own chain added to C in turn. One exception: when C has an odd
 * number of rows, its last row is summed in another order (a one-row tile), which is why Linear cuts its rows
 * between the cores at multiples of {@link Linear#ROW_BLOCK}, an even number.
 */
class HaswellOrderTest {

    /** Only portable mode runs the Haswell kernels; the Makefile's Maven runs are in it (bin/blas-env). */
    static boolean haswell() {
        return "haswell".equalsIgnoreCase(System.getenv("OPENBLAS_CORETYPE"));
    }

    /** Element (i, j) of op(A) op(B) + beta C, beta 0 or 1, summed in the order above. */
    static double element(boolean transA, boolean transB, int i, int j, int k, double[] a, double[] b, int m,
                          int n, double c) {
        double sum = c;
        for (int from = 0; from < k; ) {
            int len = Blas.kBlock(k - from);
            double acc = 0;
            for (int p = from; p < from + len; p++) {
                acc = Math.fma(transA ? a[p * m + i] : a[i * k + p], transB ? b[j * k + p] : b[p * n + j], acc);
            }
            sum += acc;
            from += len;
        }
        return sum;
    }

    /** For each row of OpenBLAS's C, how many of its elements are not the chain's, bit for bit. */
    static int[] mismatches(boolean transA, boolean transB, int m, int n, int k, double beta, long seed) {
        Rng rng = new Rng(seed);
        INDArray a = BlasTest.random(rng, transA ? k : m, transA ? m : k);
        INDArray b = BlasTest.random(rng, transB ? n : k, transB ? k : n), c = BlasTest.random(rng, m, n);
        double[] av = Nd.values(a), bv = Nd.values(b), before = Nd.values(c);
        Blas.openBlas(transA, transB, m, n, k, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
        double[] after = Nd.values(c);
        int[] perRow = new int[m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double want = element(transA, transB, i, j, k, av, bv, m, n, beta == 0 ? 0.0 : before[i * n + j]);
                if (Double.doubleToRawLongBits(want) != Double.doubleToRawLongBits(after[i * n + j])) perRow[i]++;
            }
        }
        return perRow;
    }

    @Test
    void theBlockRuleCutsKAsOpenBlasDoes() {
        int[] cuts = new int[6];
        int count = 0;
        for (int left = 1320; left > 0; left -= cuts[count++]) cuts[count] = Blas.kBlock(left);
        assertArrayEquals(new int[] {256, 256, 256, 256, 148, 148}, cuts);
    }

    /** The kit's product shapes (shipped config, 1320 rows a batch): forward, dx = g W, dW += g^T x. */
    @Test
    void everyElementOfTheKitsProductsIsOneChainPerBlockOfK() {
        assumeTrue(haswell(), "portable mode only: other kernel sets sum in other orders");
        int rows = 1320;
        int[][] inOut = {{96, 288}, {96, 384}, {384, 96}};
        for (int[] io : inOut) {
            int in = io[0], out = io[1];
            String shape = in + "->" + out;
            assertArrayEquals(new int[rows], mismatches(false, true, rows, out, in, 0, 1), "forward " + shape);
            assertArrayEquals(new int[rows], mismatches(false, false, rows, in, out, 0, 2), "dx " + shape);
            // k = 1320: six blocks of k, the last two halves of 296.
            assertArrayEquals(new int[out], mismatches(true, false, out, in, rows, 1, 3), "dW " + shape);
        }
    }

    @Test
    void anOddLastRowAloneIsSummedInAnotherOrder() {
        assumeTrue(haswell(), "portable mode only: other kernel sets sum in other orders");
        for (int m : new int[] {1, 9, 33, 1321}) {
            int[] perRow = mismatches(false, true, m, 37, 41, 0, 4 + m);
            for (int i = 0; i < m - 1; i++) assertEquals(0, perRow[i], "row " + i + " of " + m);
            assertTrue(perRow[m - 1] > 0, "the last of " + m + " rows");
        }
        assertArrayEquals(new int[34], mismatches(false, true, 34, 37, 41, 0, 5));   // even: no exception
    }
}
