package minitrain.autograd;

import static minitrain.autograd.NormalCdfPolynomials.*;

/**
 * The standard normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 and its density phi(x) = exp(-x^2 / 2) / sqrt(2 pi),
 * the two numbers GELU needs. Java has no erf, so for a = |x| the tail Phi(-a) is written as
 * <pre>
 *   Phi(-a) = F(v) exp(-a^2 / 2),   v = 3 / (3 + a) - 0.62,
 * </pre>
 * F a degree-22 polynomial (bin/fit-normal-cdf fits it with 50-digit arithmetic and checks it), and the exp is
 * computed here too. Phi is right to 1.8e-16 absolute (1.6 ulps of 0.5) and to 5.7e-16 relative wherever it is
 * above 1e-6, phi to 2.9e-16 relative (bin/fit-normal-cdf measures both). Beyond a = 9, Phi(-a) is below 1.2e-19
 * and taken as 0, and so is phi.
 *
 * <p>Why not erf from the C library: its bits are the C library's, so the same model could train to other bytes
 * under another libm; + - * / in Java (no fused multiply-add) are the same bits on every machine. Why not
 * (1 + erf) / 2 either: for x far below 0 that sum cancels to nothing; Phi(-a) keeps its digits there.
 *
 * <p>{@link #cdf} and {@link #density} are the formula for one value, step by step. {@link Block} computes the
 * same operations over a block of values, one step at a time: each step a short loop the JIT runs in vector
 * instructions (the whole formula in one loop it leaves scalar). It gives the same bits (NormalCdfTest), and GELU
 * runs it.
 */
final class NormalCdf {

    private NormalCdf() {}

    /** Phi(x). NaN gives NaN; +-infinity give 1 and 0. */
    static double cdf(double x) {
        double a = Math.min(Math.abs(x), CUT);                      // NaN stays NaN
        double v = v(a);
        double tail = factor(v, factorTop(v)) * (gaussian(a) * belowCut(a));        // Phi(-a)
        // Phi(x) is the tail when x < 0 and 1 - tail when x > 0. Written with a 0-or-1 instead of an if: the sign
        // of an activation is a coin toss, and a branch the CPU guesses wrong half the time costs more than this.
        double right = rightOfZero(x);
        return right * (1 - tail) + (1 - right) * tail;
    }

    /** phi(x), the derivative of Phi. */
    static double density(double x) {
        double a = Math.min(Math.abs(x), CUT);
        return (gaussian(a) * belowCut(a)) * INV_SQRT_2PI;
    }

    /** The variable F is a polynomial in: [-0.37, 0.38] for a in [0, 9]. */
    private static double v(double a) {
        return SHIFT / (SHIFT + a) - CENTRE;
    }

    /** 1 for a below 9, 0 at 9 (a is never above: it was clamped). */
    private static double belowCut(double a) {
        return 1 - Math.floor(a * (1 / CUT));
    }

    /** 1 for x >= +0, 0 for x <= -0: at zero either gives Phi(0) = 1/2, as the tail there is 1/2. */
    private static double rightOfZero(double x) {
        return 0.5 + 0.5 * Math.copySign(1.0, x);
    }

    /**
     * exp(-a^2 / 2) for 0 <= a <= 9, as 2^-k e^m with k whole and |m| <= 0.35. a^2 is split exactly into its
     * rounded value h and the rest l (Dekker's product: a = hi + lo, halves of 26 bits whose products are exact),
     * because a^2 / 2 reaches 40 and an error of half an ulp there would be 3e-15 relative in the exp.
     */
    private static double gaussian(double a) {
        double h = a * a;
        double p = a * SPLIT, hi = p - (p - a), lo = a - hi;
        double l = ((hi * hi - h) + 2 * hi * lo) + lo * lo;          // a^2 - h, exactly
        double z = 0.5 * h;
        double k = Math.floor(z * INV_LN2 + 0.5);                    // the whole number of ln 2 nearest z
        double m = -((z - k * LN2_HI) - k * LN2_LO + 0.5 * l);       // -(a^2 / 2 - k ln 2)
        return expNearZero(m) * twoToMinus(k);
    }

    /** 2^-k for whole k in 0..1022, built from its bits: the exponent field is 1023 - k. */
    private static double twoToMinus(double k) {
        return Double.longBitsToDouble((1023 - (long) k) << 52);
    }

    /**
     * The same operations as {@link #cdf} and {@link #density}, over a block of values, one step at a time: each
     * loop below is one line of those methods over the whole block, and the same bits (NormalCdfTest). GELU makes
     * one Block per core and copies its values in and out of {@link #x}, {@link #cdf} and {@link #density}.
     */
    static final class Block {

        /** Values a block holds: its seven arrays (28 KB) stay in the core's first-level cache. */
        static final int SIZE = 512;

        final double[] x = new double[SIZE], cdf = new double[SIZE], density = new double[SIZE];
        private final double[] a = new double[SIZE], k = new double[SIZE], g = new double[SIZE], f = new double[SIZE];

        /**
         * Phi and phi of x[0..len-1] into cdf and density. A loop reads one array and writes another, none in
         * place: a loop that rewrote an array it also read beside others ran scalar (docs/performance.md).
         */
        void evaluate(int len) {
            for (int i = 0; i < len; i++) a[i] = Math.min(Math.abs(x[i]), CUT);
            for (int i = 0; i < len; i++) {                     // gaussian, up to its power of two
                double ai = a[i], h = ai * ai;
                double p = ai * SPLIT, hi = p - (p - ai), lo = ai - hi;
                double l = ((hi * hi - h) + 2 * hi * lo) + lo * lo;
                double z = 0.5 * h, ki = Math.floor(z * INV_LN2 + 0.5);
                k[i] = ki;
                f[i] = -((z - ki * LN2_HI) - ki * LN2_LO + 0.5 * l);
            }
            for (int i = 0; i < len; i++) g[i] = expNearZero(f[i]);
            // Scalar, as the JIT has no vector form of building a double from its bits (nor of copySign, below).
            for (int i = 0; i < len; i++) g[i] = (g[i] * twoToMinus(k[i])) * belowCut(a[i]);
            for (int i = 0; i < len; i++) f[i] = v(a[i]);
            for (int i = 0; i < len; i++) k[i] = factorTop(f[i]);
            for (int i = 0; i < len; i++) a[i] = factor(f[i], k[i]) * g[i];          // the tail Phi(-a)
            for (int i = 0; i < len; i++) density[i] = g[i] * INV_SQRT_2PI;
            for (int i = 0; i < len; i++) f[i] = rightOfZero(x[i]);
            for (int i = 0; i < len; i++) cdf[i] = f[i] * (1 - a[i]) + (1 - f[i]) * a[i];
        }
    }
}
