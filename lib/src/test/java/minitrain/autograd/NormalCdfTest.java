package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NormalCdf gives what its comment promises. bin/fit-normal-cdf checks the table against 50-digit
 * values; this test checks the Java that evaluates it: against values computed with mpmath (40 digits, rounded
 * to doubles), against the C library's erf that GELU used before, and at the edges (0, symmetry, 9, infinity, NaN).
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
            double tol = x < -4 ? 1e-11 : 4.5e-16;
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
            assertEquals(viaErf, NormalCdf.cdf(x[i]), 2 * ULP_HALF, "Phi(" + x[i] + ")");
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
}
