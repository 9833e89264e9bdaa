package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kit's C library loads wherever the build put it in the jar, its GELU forward gives the bits of the Java
 * formula ({@link NormalCdf#cdf}, {@link NormalCdf#density}) on every value, the edges included, its sums and
 * products value by value those of Java's + and *, and its dropout masks the Rng's ({@link Rng.Block#mask}).
 */
class NativeTest {

    @Test
    void loadedWheneverTheJarCarriesIt() {
        boolean built = Native.class.getResource(Native.LIBRARY) != null;
        assertEquals(built && !"false".equals(System.getProperty("minitrain.native")), Native.LOADED,
                "library in the classes: " + built);
    }

    /** x, then values spread over GELU's range and every edge of the formula. */
    static double[] inputs(int random) {
        double[] edges = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 1e-300, -1e-300, 1e-8, -1e-8, 0.5, -0.5,
            1, -1, 3, -3, 8.999999999999998, -8.999999999999998, 9, -9, 9.000000000000002, -9.000000000000002, 37.5,
            -37.5, 1e300, -1e300, Double.MAX_VALUE, -Double.MAX_VALUE, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NaN};
        double[] x = new double[edges.length + random];
        System.arraycopy(edges, 0, x, 0, edges.length);
        Rng rng = new Rng(18);
        for (int i = edges.length; i < x.length; i++) x[i] = rng.nextGaussian() * (i % 3 == 0 ? 4 : 1.5);
        return x;
    }

    @Test
    void geluForwardHasTheJavaFormulasBits() {
        assumeTrue(Native.LOADED, "the kit's C library is not built on this machine");
        double[] x = inputs(200_003);   // not a multiple of any vector width: the loop's tail is checked too
        INDArray in = Nd.array(x, x.length), y = Nd.zeros(x.length), slope = Nd.zeros(x.length);
        Native.gelu(Native.address(in, 0), Native.address(y, 0), Native.address(slope, 0), x.length);
        double[] yv = Nd.values(y), sv = Nd.values(slope);
        int differ = 0;
        String first = null;
        for (int i = 0; i < x.length; i++) {
            double cdf = NormalCdf.cdf(x[i]), wantY = x[i] * cdf, wantSlope = cdf + x[i] * NormalCdf.density(x[i]);
            if (!same(wantY, yv[i]) || !same(wantSlope, sv[i])) {
                differ++;
                if (first == null) first = "x " + x[i] + ": y " + yv[i] + " vs " + wantY + ", slope " + sv[i] + " vs "
                        + wantSlope;
            }
        }
        assertEquals(0, differ, "first: " + first);
    }

    @Test
    void sumsAndProductsHaveJavasBits() {
        double[] x = inputs(30_011), y = new double[x.length];
        for (int i = 0; i < y.length; i++) y[i] = x[(i * 7919) % x.length];   // every edge against every other
        INDArray a = Nd.array(x, x.length), b = Nd.array(y, y.length);
        // Nd.sum and Nd.product run in C where the library is loaded (several pieces here, on both cores), in Java
        // where it is not: either way the one IEEE operation a value Java does.
        double[] sum = Nd.values(Nd.sum(a, b)), product = Nd.values(Nd.product(a, b));
        for (int i = 0; i < x.length; i++) {
            assertTrue(same(x[i] + y[i], sum[i]), "sum of " + x[i] + " and " + y[i] + ": " + sum[i]);
            assertTrue(same(x[i] * y[i], product[i]), "product of " + x[i] + " and " + y[i] + ": " + product[i]);
        }
    }

    @Test
    void dropoutsMaskIsTheRngsDraws() {
        assumeTrue(Native.LOADED, "the kit's C library is not built on this machine");
        double[] x = inputs(3_000);
        int n = x.length;
        INDArray in = Nd.array(x, n), mask = Nd.zeros(n), y = Nd.zeros(n);
        Rng.Block java = new Rng.Block();
        double[] want = new double[Rng.Block.SIZE];
        for (double p : new double[] {0.05, 0.1, 0.5, 1e-9, 0.999}) {
            long start = new Rng((long) (p * 1e9)).nextLong(), from = 12_345;   // a mask that starts mid-stream
            double scale = 1 / (1 - p);
            Native.dropout(start, from, n, Rng.threshold(p), Double.doubleToRawLongBits(scale), Native.address(mask, 0),
                    Native.address(in, 0), Native.address(y, 0));
            double[] got = Nd.values(mask), out = Nd.values(y);
            int dropped = 0;
            for (int i = 0; i < n; i += Rng.Block.SIZE) {
                int len = Math.min(Rng.Block.SIZE, n - i);
                java.mask(start, from + i, len, p, scale, want);
                for (int j = 0; j < len; j++) {
                    assertTrue(same(want[j], got[i + j]), "p " + p + ", value " + (i + j));
                    assertTrue(same(x[i + j] * want[j], out[i + j]), "p " + p + ", product " + (i + j));
                    if (got[i + j] == 0) dropped++;
                }
            }
            assertEquals(p, dropped / (double) n, 0.02, "share dropped at p " + p);
        }
    }

    /** Layer norm in C and in Java: y, and the gradients of x (two uses: one adds to the other), w and b. */
    @Test
    void layerNormInCHasTheJavaLoopsBits() {
        assumeTrue(Native.LOADED, "the kit's C library is not built on this machine");
        Rng rng = new Rng(21);
        int rows = 333, c = 96;
        INDArray x = BlasTest.random(rng, 9, 37, c), w = BlasTest.random(rng, c), b = BlasTest.random(rng, c);
        INDArray g = BlasTest.random(rng, 9, 37, c), h = BlasTest.random(rng, 9, 37, c);
        double[][] got = new double[2][];
        for (int inC = 0; inC < 2; inC++) {
            Tensor x0 = Tensor.param(x.dup()), wp = Tensor.param(w.dup()), bp = Tensor.param(b.dup());
            Tensor xs = Arithmetic.scale(x0, 1.0);                       // not a parameter: its gradient is summed
            Tensor y = inC == 1 ? LayerNorm.inC(xs, wp, bp) : LayerNorm.inJava(xs, wp, bp);
            Tensor loss = Arithmetic.add(Reduce.sum(Arithmetic.mul(y, Tensor.constant(g))),
                    Reduce.sum(Arithmetic.mul(xs, Tensor.constant(h))));
            loss.backward();
            got[inC] = java.util.stream.Stream.of(y.data, x0.grad(), wp.grad(), bp.grad())
                    .flatMapToDouble(a -> java.util.Arrays.stream(Nd.values(a))).toArray();
        }
        assertEquals(rows * c * 2 + 2 * c, got[0].length);
        for (int i = 0; i < got[0].length; i++) assertTrue(same(got[0][i], got[1][i]), "value " + i);
    }

    /**
     * Attention's loops in C and in Java: y and the gradient of qkv, bit for bit, with dropout and padded keys and
     * without either, for an odd and an even T (an odd last row is summed in its own order) and heads of 24 and 8.
     */
    @Test
    void attentionInCHasTheJavaLoopsBits() {
        assumeTrue(SmallGemm.ACTIVE, "attention's loops run in C only beside the kit's small products");
        long seed = 31;
        for (int[] s : new int[][] {{41, 96, 4, 1}, {40, 96, 4, 1}, {13, 16, 2, 1}, {41, 96, 4, 0}}) {
            int b = 3, t = s[0], c = s[1], heads = s[2];
            boolean masked = s[3] == 1;
            Rng rng = new Rng(seed++);
            INDArray qkv = BlasTest.random(rng, b, t, 3 * c), r = BlasTest.random(rng, b, t, c);
            boolean[][] real = new boolean[b][t];
            for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) real[i][j] = j < t - 3 * i;   // padded at the end
            double[][] got = new double[2][];
            for (int inC = 0; inC < 2; inC++) {
                Tensor x = Tensor.param(qkv.dup());
                Tensor y = Attention.apply(x, heads, masked ? real : null, masked ? 0.2 : 0, true, new Rng(seed),
                        inC == 1);
                Reduce.sum(Arithmetic.mul(y, Tensor.constant(r))).backward();
                got[inC] = java.util.stream.Stream.of(y.data, x.grad())
                        .flatMapToDouble(a -> java.util.Arrays.stream(Nd.values(a))).toArray();
            }
            assertEquals(b * t * c * 4, got[0].length);
            for (int i = 0; i < got[0].length; i++) {
                assertTrue(same(got[0][i], got[1][i]), "T " + t + ", C " + c + ": " + (i < b * t * c ? "y" : "dqkv")
                        + " value " + i);
            }
        }
    }

    /** Equal bits, or both NaN (a NaN's payload is the CPU's choice, and a NaN loss stops the run anyway). */
    static boolean same(double a, double b) {
        return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b) || (Double.isNaN(a) && Double.isNaN(b));
    }

    /** Gelu.apply (C here) against the readable reference, bit for bit forward, as ReferenceTest asks of it. */
    @Test
    void geluApplyEqualsTheReference() {
        double[] x = inputs(5000);
        double[] finite = java.util.Arrays.stream(x).filter(Double::isFinite).toArray();
        Tensor t = Tensor.constant(Nd.array(finite, finite.length));
        double[] fast = Nd.values(Gelu.apply(t).data), slow = Nd.values(Gelu.reference(t).data);
        for (int i = 0; i < finite.length; i++) assertTrue(same(slow[i], fast[i]), "x " + finite[i]);
    }
}
