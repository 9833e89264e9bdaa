package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kit's AVX-512 products give OpenBLAS's Haswell bits on every element, so portable mode's bytes do not
 * depend on which of the two computed them; and where they can run (portable mode, a CPU with AVX-512, Linux
 * x86-64) they do run, so a build that lost the library shows up here rather than as a slower step.
 */
class Avx512GemmTest {

    /** Whether /proc/cpuinfo lists AVX-512 Foundation for this CPU. */
    static boolean cpuHasAvx512() throws Exception {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) return false;
        try (var lines = Files.lines(info)) {
            return lines.filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> (" " + l.substring(l.indexOf(':') + 1) + " ").contains(" avx512f ")).orElse(false);
        }
    }

    @Test
    void activeExactlyWherePortableModeMeetsAvx512() throws Exception {
        boolean linuxX86 = "Linux".equals(System.getProperty("os.name"))
                && "amd64".equals(System.getProperty("os.arch"));
        boolean want = HaswellOrderTest.haswell() && linuxX86 && cpuHasAvx512()
                && Native.LOADED;
        assertEquals(want, Avx512Gemm.ACTIVE, "portable mode " + HaswellOrderTest.haswell() + ", Linux x86-64 "
                + linuxX86 + ", AVX-512 " + cpuHasAvx512());
    }

    /**
     * How many elements of C differ, bit for bit, between Blas.gemm (the kernel, an odd last row left to
     * OpenBLAS) and OpenBLAS alone. The matrices sit inside larger arrays (offsets, row distances wider than
     * the matrix) as attention's heads do, and C's values outside the matrix must be left as they were.
     */
    static int differing(boolean transA, boolean transB, int m, int n, int k, double beta, long seed) {
        Rng rng = new Rng(seed);
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 2;
        int offA = 7, offB = 1, offC = 3;
        INDArray a = BlasTest.random(rng, offA + (long) (transA ? k : m) * lda);
        INDArray b = BlasTest.random(rng, offB + (long) (transB ? n : k) * ldb);
        INDArray c = BlasTest.random(rng, offC + (long) m * ldc), expected = c.dup();
        Blas.gemm(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
        Blas.openBlas(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, beta, expected, offC, ldc);
        return BlasTest.differing(Nd.values(expected), Nd.values(c));
    }

    @Test
    void everyProductOfTheKitsShapesHasOpenBlasBits() {
        assumeTrue(Avx512Gemm.ACTIVE, "the kernel runs only in portable mode on a CPU with AVX-512");
        long seed = 10;
        // Linear's shapes (d64-l2, shipped, d128-l4: forward, dx = g W, dW += g^T x over 1320 rows) and
        // attention's (T = 41 and 40, heads of 24 and 32), then edges: odd m, one row, columns past the last
        // full panel, k over several blocks, k = 0.
        int[][] shapes = {
            {1320, 192, 64}, {1320, 64, 256}, {256, 64, 1320},
            {1320, 288, 96}, {1320, 96, 384}, {384, 96, 1320}, {1320, 384, 96}, {96, 384, 1320},
            {1320, 384, 128}, {1320, 128, 512}, {512, 128, 1320},
            {41, 41, 24}, {41, 24, 41}, {40, 40, 32}, {40, 32, 40},
            {33, 37, 41}, {1321, 37, 41}, {1, 5, 3}, {2, 1, 7}, {9, 25, 600}, {8, 23, 2048}, {6, 4, 0},
        };
        for (int[] s : shapes) {
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    for (double beta : new double[] {0, 1}) {
                        assertEquals(0, differing(transA, transB, s[0], s[1], s[2], beta, seed++),
                                "m, n, k " + s[0] + ", " + s[1] + ", " + s[2] + (transA ? " A^T" : "")
                                        + (transB ? " B^T" : "") + " beta " + beta);
                    }
                }
            }
        }
    }

    /** Linear's forward, y = b + x W^T: the kernel starting from the bias gives the bits of rows set to it first. */
    @Test
    void aProductOntoTheBiasHasTheBitsOfRowsSetToIt() {
        assumeTrue(Avx512Gemm.ACTIVE, "the kernel runs only in portable mode on a CPU with AVX-512");
        int[][] shapes = {{1320, 288, 96}, {1320, 384, 96}, {660, 96, 384}, {1321, 37, 600}, {1025, 128, 512}};
        long seed = 40;
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            Rng rng = new Rng(seed++);
            INDArray x = BlasTest.random(rng, m, k), w = BlasTest.random(rng, n, k), bias = BlasTest.random(rng, 1, n);
            INDArray y = BlasTest.random(rng, m, n), expected = Nd.zeros(m, n);
            Blas.gemmOnBias(false, true, m, n, k, x, 0, k, w, 0, k, bias, y, 0, n);
            for (int r = 0; r < m; r++) Nd.buffer(expected).put(r * n, Nd.values(bias));
            Blas.openBlas(false, true, m, n, k, x, 0, k, w, 0, k, 1, expected, 0, n);
            double[] got = Nd.values(y), want = Nd.values(expected);
            for (int i = 0; i < got.length; i++) {
                assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got[i]),
                        "m, n, k " + m + ", " + n + ", " + k + ": element " + i);
            }
        }
    }

    /** Mutation check of the bit tests: a product OpenBLAS was not asked for differs, so equality means something. */
    @Test
    void aDifferentProductIsSeenAsDifferent() {
        assumeTrue(Avx512Gemm.ACTIVE, "the kernel runs only in portable mode on a CPU with AVX-512");
        Rng rng = new Rng(1);
        INDArray a = BlasTest.random(rng, 64 * 300), b = BlasTest.random(rng, 300 * 48), c = Nd.zeros(64 * 48);
        INDArray c2 = c.dup();
        Blas.gemm(false, false, 64, 48, 300, a, 0, 300, b, 0, 48, 0, c, 0, 48);
        Blas.openBlas(false, false, 64, 48, 299, a, 0, 300, b, 0, 48, 0, c2, 0, 48);   // one term short
        assertNotEquals(c2, c);
    }
}
