package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Linear's forward product, shared between the cores, has the bits of one product over all rows, whatever the
 * number of cores: a result may not depend on the machine's core count (portable mode, bin/blas-env). Bit for
 * bit, not within a tolerance: the last bit is what changed.
 */
class LinearSplitTest {

    /** An odd number of rows: a cut in the middle (two cores) would leave a part ending in a one-row tile. */
    static final int ROWS = 803, IN = 96, OUT = 288;

    @Test
    void theForwardProductIsOneProductOverAllRowsBitForBit() {
        Rng rng = new Rng(11);
        INDArray x = BlasTest.random(rng, ROWS, IN), w = BlasTest.random(rng, OUT, IN), b = BlasTest.random(rng, OUT);
        double[] y = Nd.values(Linear.apply(Tensor.constant(x), Tensor.param(w), Tensor.param(b)).data);
        assertArrayEquals(bits(oneProduct(x, w, b, new int[] {0, ROWS})), bits(y));
    }

    /**
     * Why Linear cuts at multiples of {@link Linear#ROW_BLOCK}: so cut, 2 to 8 parts (2 to 8 cores) give the
     * bits of one product; cut evenly (where Nd.inParts would cut the rows themselves) some do not.
     */
    @Test
    void cutsAtMultiplesOfTheRowBlockKeepEveryBitAndOtherCutsDoNot() {
        Rng rng = new Rng(12);
        INDArray x = BlasTest.random(rng, ROWS, IN), w = BlasTest.random(rng, OUT, IN), b = BlasTest.random(rng, OUT);
        long[] whole = bits(oneProduct(x, w, b, new int[] {0, ROWS}));
        int evenCutsDiffering = 0;
        for (int parts = 2; parts <= 8; parts++) {
            int blocks = (ROWS + Linear.ROW_BLOCK - 1) / Linear.ROW_BLOCK;
            int[] aligned = new int[parts + 1], even = new int[parts + 1];
            for (int p = 0; p <= parts; p++) {
                aligned[p] = Math.min(ROWS, blocks * p / parts * Linear.ROW_BLOCK);
                even[p] = ROWS * p / parts;
            }
            assertArrayEquals(whole, bits(oneProduct(x, w, b, aligned)), parts + " parts cut at a ROW_BLOCK multiple");
            if (!java.util.Arrays.equals(whole, bits(oneProduct(x, w, b, even)))) evenCutsDiffering++;
        }
        // Portable mode's Haswell kernels: measured 7 of 7; other kernel sets may differ in none.
        if ("haswell".equalsIgnoreCase(System.getenv("OPENBLAS_CORETYPE"))) assertTrue(evenCutsDiffering > 0);
    }

    /** y = b + x W^T as Linear computes it (the bias first, the product added), one product per part of rows. */
    static double[] oneProduct(INDArray x, INDArray w, INDArray b, int[] cuts) {
        double[] bias = Nd.values(b);
        INDArray y = Nd.uninitialized(ROWS, OUT);
        java.nio.DoubleBuffer yb = Nd.buffer(y);
        for (int r = 0; r < ROWS; r++) yb.put(r * OUT, bias);
        for (int p = 0; p + 1 < cuts.length; p++) {
            int from = cuts[p], to = cuts[p + 1];
            if (to > from) {
                Blas.gemm(false, true, to - from, OUT, IN, x, (long) from * IN, IN, w, 0, IN,
                        1, y, (long) from * OUT, OUT);
            }
        }
        return Nd.values(y);
    }

    static long[] bits(double[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Double.doubleToRawLongBits(v[i]);
        return out;
    }
}
