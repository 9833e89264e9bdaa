package minitrain.autograd;

/**
 * The standard normal CDF Phi(x) = (1 + erf(x / sqrt 2)) / 2 and its density phi(x) = exp(-x^2 / 2) / sqrt(2 pi),
 * the two numbers GELU needs. Java has no erf, so Phi is polynomials: the line [0, 9) is cut into 72 pieces of
 * width 1/8, and on each a degree-9 polynomial (bin/fit-normal-cdf fits them with 50-digit arithmetic and checks
 * them) gives Phi(-a) to about an ulp of 0.5 (1.1e-16) absolute, and to two ulps relative wherever it is above
 * 1e-6. Beyond 9 it is below 1.2e-19 and taken as 0.
 *
 * Why not erf from the C library: its bits are the C library's, so the same model could train to other bytes
 * under another libm; + - * in Java (no fused multiply-add) are the same bits on every machine. Why not
 * (1 + erf) / 2 either: for x far below 0 that sum cancels to nothing; Phi(-a) keeps its digits there.
 */
final class NormalCdf {

    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private NormalCdf() {}

    /** Phi(x). NaN gives NaN; +-infinity give 1 and 0. */
    static double cdf(double x) {
        double tail = tail(Math.abs(x)); // Phi(-|x|), by symmetry of the bell
        // Phi(x) is the tail when x < 0 and 1 - tail when x >= 0. Written with a sign instead of an if: the sign
        // of an activation is a coin toss, and a branch the CPU guesses wrong half the time costs more than this.
        double s = Math.copySign(1.0, -x);
        return (0.5 - 0.5 * s) + s * tail;
    }

    /** phi(x), the derivative of Phi. */
    static double density(double x) {
        return Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
    }

    /** Phi(-a) for a >= 0 (or NaN): the polynomial of a's piece, by Horner's rule around the piece's centre. */
    private static double tail(double a) {
        double[] table = NormalCdfTable.TAIL;
        double b = Math.min(a, 9.0); // NaN stays NaN
        int i = (int) (b * 8); // 72 for b = 9: the row of zeros
        double t = b - (i * 0.125 + 0.0625);
        int k = i * (NormalCdfTable.DEGREE + 1);
        double r = table[k + NormalCdfTable.DEGREE];
        for (int j = NormalCdfTable.DEGREE - 1; j >= 0; j--) r = r * t + table[k + j];
        return r;
    }
}
