package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NormalCdf gives what its comment promises. bin/fit-normal-cdf checks the polynomials against 50-digit
 * values; this test checks the Java that evaluates them: against values computed with mpmath (40 digits, rounded
 * to doubles), against the C library's erf that GELU used before, at the edges (0, symmetry, 9, infinity, NaN),
 * and a block of values against one value at a time, bit for bit.
 */
class NormalCdfTest {

    private static final double ULP_HALF = Math.ulp(0.5);

    /** {x, Phi(x), phi(x)} from mpmath.ncdf and mpmath.npdf at 40 digits. */
    private static final double[][] MPMATH = {
        {-8, 6.220960574271784e-16, 5.052271083536892e-15},
        {-5, 2.866515718791939e-07, 1.4867195147342977e-06},
        {-3, 0.0013498980316300946, 0.0044318484119380075},
        {-1, 0.15865525393145705, 0.24197072451914334},
        {-0.5, 0.3085375387259869, 0.35206532676429947},
        {0.25, 0.5987063256829237, 0.3866681168028492},
        {2, 0.9772498680518208, 0.05399096651318805},
    };

    @Test
    void matchesFortyDigitValues() {
        for (double[] row : MPMATH) {
            double x = row[0];
            // relative, also in the left tail where (1 + erf) / 2 would have cancelled (Phi(-8) ~ 6e-16)
            double tol = x < -4 ? 1e-11 : 6e-16;
            assertEquals(row[1], NormalCdf.cdf(x), tol * row[1], "Phi(" + x + ")");
            assertEquals(row[2], NormalCdf.density(x), 4.5e-16 * row[2], "phi(" + x + ")");
        }
    }

    @Test
    void agreesWithTheCLibrarysErfEverywhere() {
        // every 1/1024 from -10 to 10: pieces, their edges and the zeros beyond 9
        int n = 20 * 1024 + 1;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = -10 + i / 1024.0;
        INDArray erf = Nd4j.createFromArray(x).mul(1 / Math.sqrt(2));
        Nd4j.getExecutioner().exec(new Erf(erf, erf));
        double[] e = Nd.values(erf);
        for (int i = 0; i < n; i++) {
            double viaErf = 0.5 * (1 + e[i]); // itself off by up to half an ulp of 1 after the sum
            // NormalCdf's bound (2 ulps of 0.5) plus that half ulp of 1
            assertEquals(viaErf, NormalCdf.cdf(x[i]), 3 * ULP_HALF, "Phi(" + x[i] + ")");
        }
    }

    @Test
    void edges() {
        assertEquals(0.5, NormalCdf.cdf(0.0));
        assertEquals(0.5, NormalCdf.cdf(-0.0));
        for (double x = 0; x < 10; x += 0.01) {
            assertEquals(1.0, NormalCdf.cdf(x) + NormalCdf.cdf(-x), ULP_HALF * 2, "Phi(x) + Phi(-x) at " + x);
            assertEquals(NormalCdf.density(x), NormalCdf.density(-x), "phi is even, at " + x);
        }
        assertEquals(1.0, NormalCdf.cdf(9.0));
        assertEquals(0.0, NormalCdf.cdf(-9.0));
        assertEquals(1.0, NormalCdf.cdf(Double.POSITIVE_INFINITY));
        assertEquals(0.0, NormalCdf.cdf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, NormalCdf.density(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(NormalCdf.cdf(Double.NaN)), "a NaN activation must stay visible");
        assertTrue(Double.isNaN(NormalCdf.density(Double.NaN)));
    }

    @Test
    void aBlockGivesTheSameBitsAsOneValueAtATime() {
        // more than one block, a ragged last block, every piece of the formula: both tails, 0, the cut at 9,
        // subnormals, infinities, NaN, and values of every scale an activation has
        java.util.Random rng = new java.util.Random(18);
        int n = 3 * 512 + 77;
        double[] x = new double[n];
        double[] special = {0.0, -0.0, 9, -9, 8.999999999999998, -8.999999999999998, 9.000000000000002, 40, -40,
            Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300, -1e-300, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NaN, Double.MAX_VALUE, -Double.MAX_VALUE, 0.5, -0.5, 1, -1};
        for (int i = 0; i < n; i++) {
            x[i] = i < special.length ? special[i] : rng.nextGaussian() * new double[] {0.1, 1, 3, 8}[i % 4];
        }
        double[] cdf = new double[n], density = new double[n];
        NormalCdf.Block block = new NormalCdf.Block();
        // Many rounds first, so that the JIT compiles the block's loops into vector instructions (the interpreter
        // alone would run them one value at a time): the bits must not depend on which ran.
        for (int round = 0; round < 400; round++) {
            for (int from = 0; from < n; from += NormalCdf.Block.SIZE) {
                int len = Math.min(NormalCdf.Block.SIZE, n - from);
                System.arraycopy(x, from, block.x, 0, len);
                block.evaluate(len);
                System.arraycopy(block.cdf, 0, cdf, from, len);
                System.arraycopy(block.density, 0, density, from, len);
            }
        }
        for (int i = 0; i < n; i++) {
            // doubleToLongBits: every NaN is one NaN (Java does not fix a NaN's bits, and vector code sets its sign)
            assertEquals(Double.doubleToLongBits(NormalCdf.cdf(x[i])), Double.doubleToLongBits(cdf[i]),
                    "Phi(" + x[i] + ")");
            assertEquals(Double.doubleToLongBits(NormalCdf.density(x[i])), Double.doubleToLongBits(density[i]),
                    "phi(" + x[i] + ")");
        }
    }
}
