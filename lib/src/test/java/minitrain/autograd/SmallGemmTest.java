package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kit's small products give OpenBLAS's Haswell bits on every element, an odd last row too, so portable mode's
 * bytes do not depend on which of the two computed them; and they run wherever portable mode has the kit's library.
 */
class SmallGemmTest {

    @Test
    void activeWherePortableModeHasTheLibrary() {
        boolean linuxX86 = "Linux".equals(System.getProperty("os.name"))
                && "amd64".equals(System.getProperty("os.arch"));
        // Portable mode runs OpenBLAS's Haswell kernels, which need AVX2 and FMA: every CPU here has both.
        assertEquals(HaswellOrderTest.haswell() && linuxX86 && Native.LOADED, SmallGemm.ACTIVE);
    }

    @Test
    void everySmallShapeHasOpenBlasBits() {
        assumeTrue(SmallGemm.ACTIVE, "the kernel runs only in portable mode with the kit's library");
        long seed = 100;
        // Every row count to 13 and a head's (T = 40, 41, 64), against column counts around the tiles (8) and the
        // last row's groups (4), and k within a block, over two and over three blocks (the block size, 256).
        int[] ms = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 40, 41, 64};
        int[] ns = {1, 3, 4, 5, 8, 9, 12, 13, 16, 24, 31, 32, 41};
        int[] ks = {1, 3, 7, 8, 9, 16, 24, 32, 41, 300, 517};
        for (int m : ms) {
            for (int n : ns) {
                for (int k : ks) {
                    if ((long) m * n * k >= Avx512Gemm.SMALLEST) continue;
                    boolean transA = seed % 2 == 0, transB = seed % 3 == 0;
                    double beta = seed % 5 < 2 ? 1 : 0;
                    assertEquals(0, Avx512GemmTest.differing(transA, transB, m, n, k, beta, seed++),
                            "m, n, k " + m + ", " + n + ", " + k + (transA ? " A^T" : "") + (transB ? " B^T" : "")
                                    + " beta " + beta);
                }
            }
        }
    }

    /** Attention's six products, as Attention.apply calls them (T = 41 and 40; D = 24 and 32), every transposition. */
    @Test
    void attentionsProductsHaveOpenBlasBits() {
        assumeTrue(SmallGemm.ACTIVE, "the kernel runs only in portable mode with the kit's library");
        long seed = 7;
        for (int t : new int[] {41, 40, 17}) {
            for (int d : new int[] {24, 32, 16}) {
                for (boolean transA : new boolean[] {false, true}) {
                    for (boolean transB : new boolean[] {false, true}) {
                        for (double beta : new double[] {0, 1}) {
                            assertEquals(0, Avx512GemmTest.differing(transA, transB, t, t, d, beta, seed++));
                            assertEquals(0, Avx512GemmTest.differing(transA, transB, t, d, t, beta, seed++));
                        }
                    }
                }
            }
        }
    }

    /**
     * Attention's causal products with their zeros skipped: where A has those zeros, every element wanted has
     * OpenBLAS's bits (T odd and even, k over two blocks with T = 300 and D = 8); where A has no zeros there, the
     * result differs, so the kernel did skip them.
     */
    @Test
    void skippedZerosChangeNoBit() {
        assumeTrue(SmallGemm.ACTIVE, "the kernel runs only in portable mode with the kit's library");
        long seed = 50;
        for (int t : new int[] {41, 40, 13, 300}) {
            for (int d : new int[] {24, 32, 8}) {
                // y = a v, dq = ds k (A_LOWER); dv = a^T gy, dk = ds^T q (A_UPPER): A is (T, T), B (T, D).
                for (boolean transA : new boolean[] {false, true}) {
                    SmallGemm.Zeros zeros = transA ? SmallGemm.Zeros.A_UPPER : SmallGemm.Zeros.A_LOWER;
                    Rng rng = new Rng(seed++);
                    INDArray a = BlasTest.random(rng, t, t), b = BlasTest.random(rng, t, d);
                    INDArray causal = a.dup();
                    for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) causal.putScalar(i, j, 0.0);
                    INDArray want = Nd.zeros(t, d), got = Nd.zeros(t, d), full = Nd.zeros(t, d);
                    Blas.openBlas(transA, false, t, d, t, causal, 0, t, b, 0, d, 0, want, 0, d);
                    Blas.gemm(zeros, transA, false, t, d, t, causal, 0, t, b, 0, d, 0, got, 0, d);
                    assertEquals(0, BlasTest.differing(Nd.values(want), Nd.values(got)), zeros + " T " + t + " D " + d);
                    Blas.gemm(zeros, transA, false, t, d, t, a, 0, t, b, 0, d, 0, full, 0, d);
                    if (t * t * d < Avx512Gemm.SMALLEST) {
                        int differ = BlasTest.differing(Nd.values(want), Nd.values(full));
                        assertTrue(differ > t * d / 4, "no zeros were skipped");
                    }
                }
                // scores = q k^T, da = gy v^T (C_LOWER): only the values j <= i are computed.
                Rng rng = new Rng(seed++);
                INDArray q = BlasTest.random(rng, t, d), k = BlasTest.random(rng, t, d);
                double[] nan = new double[t * t];
                java.util.Arrays.fill(nan, Double.NaN);
                INDArray want = Nd.zeros(t, t), got = Nd.array(nan, t, t);
                Blas.openBlas(false, true, t, t, d, q, 0, d, k, 0, d, 0, want, 0, t);
                Blas.gemm(SmallGemm.Zeros.C_LOWER, false, true, t, t, d, q, 0, d, k, 0, d, 0, got, 0, t);
                int differ = 0, untouched = 0;
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        long w = Double.doubleToRawLongBits(want.getDouble(i, j));
                        long g = Double.doubleToRawLongBits(got.getDouble(i, j));
                        if (j <= i && w != g) differ++;
                        if (j > i && Double.isNaN(got.getDouble(i, j))) untouched++;
                    }
                }
                assertEquals(0, differ, "C_LOWER T " + t + " D " + d);
                if (t * t * d < Avx512Gemm.SMALLEST) {
                    assertTrue(untouched > t * t / 4, "nothing was left out: " + untouched + " T " + t + " D " + d);
                }
            }
        }
    }

    /** Mutation check: the last row summed as one chain, as the other rows are, differs from OpenBLAS's. */
    @Test
    void theLastRowsOrderIsSeen() {
        assumeTrue(SmallGemm.ACTIVE, "the kernel runs only in portable mode with the kit's library");
        Rng rng = new Rng(3);
        int k = 41, n = 24;
        double[] a = Nd.values(BlasTest.random(rng, k)), b = Nd.values(BlasTest.random(rng, k * n));
        INDArray c = Nd.zeros(1, n);
        Blas.gemm(false, false, 1, n, k, Nd.array(a, 1, k), 0, k, Nd.array(b, k, n), 0, n, 0, c, 0, n);
        int differ = 0;
        for (int j = 0; j < n; j++) {
            double chain = 0;
            for (int p = 0; p < k; p++) chain = Math.fma(a[p], b[p * n + j], chain);
            if (Double.doubleToRawLongBits(chain) != Double.doubleToRawLongBits(c.getDouble(0, j))) differ++;
        }
        assertTrue(differ > n / 4, differ + " of " + n + " columns differ from one chain");
    }
}
