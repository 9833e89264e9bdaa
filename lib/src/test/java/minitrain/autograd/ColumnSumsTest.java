package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Linear's bias gradient summed in plain loops ({@link ColumnSums}) against the product it replaces, a row of
 * ones times g by OpenBLAS, bit for bit: the committed model's bytes depend on every one of these sums.
 */
class ColumnSumsTest {

    /** db (starting from a random row, as a gradient summed over several passes does) after {@code add}. */
    private static double[] sums(INDArray g, int rows, int width, double[] start, int parts) {
        INDArray db = Nd.array(start.clone(), width);
        for (int part = 0; part < parts; part++) ColumnSums.add(g, rows, width, db, part, parts);
        return Nd.values(db);
    }

    private static double[] openBlas(INDArray g, int rows, int width, double[] start) {
        INDArray db = Nd.array(start.clone(), 1, width), ones = Nd.zeros(1, rows).addi(1.0);
        Blas.openBlas(false, false, 1, width, rows, ones, 0, rows, g, 0, width, 1, db, 0, width);
        return Nd.values(db);
    }

    /** Row counts around every change of the order: fewer than 8, the blocks of 256, the halved last stretch. */
    private static final int[] ROWS = {1, 3, 7, 8, 9, 41, 148, 255, 256, 257, 300, 511, 512, 513, 777, 1000, 1320,
        1324, 1717};

    @Test
    void everySumHasOpenBlasBitsOnTheModelsWidths() {
        assumeTrue(Blas.HASWELL_ORDER, "portable mode only: other kernel sets sum in other orders");
        Rng rng = new Rng(18);
        for (int width : new int[] {12, 96, 288, 384}) {
            for (int rows : ROWS) {
                // Values of many magnitudes, so that a sum in another order rounds differently.
                double[] v = new double[rows * width];
                for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian() * Math.exp(4 * rng.nextGaussian());
                INDArray g = Nd.array(v, rows, width);
                double[] start = new double[width];
                for (int j = 0; j < width; j++) start[j] = rng.nextGaussian();
                double[] want = openBlas(g, rows, width, start);
                for (int parts : new int[] {1, 2, 5}) {
                    assertArrayEquals(want, sums(g, rows, width, start, parts),
                            "width " + width + ", " + rows + " rows, " + parts + " parts");
                }
            }
        }
    }

    @Test
    void theOrderIsNotOneChainSoTheTestCanFail() {
        assumeTrue(Blas.HASWELL_ORDER, "portable mode only: other kernel sets sum in other orders");
        Rng rng = new Rng(19);
        int rows = 1320, width = 96, differ = 0;
        double[] v = new double[rows * width];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian() * Math.exp(4 * rng.nextGaussian());
        double[] want = openBlas(Nd.array(v, rows, width), rows, width, new double[width]);
        for (int j = 0; j < width; j++) {
            double chain = 0;
            for (int r = 0; r < rows; r++) chain += v[r * width + j];
            if (Double.doubleToRawLongBits(chain) != Double.doubleToRawLongBits(want[j])) differ++;
        }
        assertTrue(differ > width / 2, "a plain chain of sums differs from OpenBLAS in " + differ + " of " + width);
    }

    @Test
    void otherWidthsAndModesGetOpenBlasItself() {
        Rng rng = new Rng(20);
        for (int width : new int[] {37, 38, 96}) {
            int rows = 333;
            INDArray g = BlasTest.random(rng, rows, width);
            double[] start = new double[width];
            boolean ours = ColumnSums.inOpenBlasOrder(width);
            assertEquals(Blas.HASWELL_ORDER && width % 12 == 0, ours, "width " + width);
            if (!ours) assertArrayEquals(openBlas(g, rows, width, start), sums(g, rows, width, start, 2));
        }
    }
}
