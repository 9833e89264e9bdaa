package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The copy helpers read views where their values lie, and copy only when the layout requires it. */
class NdTest {

    static INDArray counting(long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = i;
        return Nd.array(v, shape);
    }

    static double[] byElement(INDArray a) {
        INDArray flat = a.dup('c').reshape(a.length());
        double[] v = new double[(int) a.length()];
        for (int i = 0; i < v.length; i++) v[i] = flat.getDouble(i);
        return v;
    }

    @Test
    void valuesOfViewsAreTheViewsValues() {
        INDArray a = counting(3, 4, 5);
        INDArray[] views = {a, a.slice(1), a.slice(2).reshape(20), a.reshape(12, 5), Nd.rows(a.reshape(12, 5), 4, 9),
                            a.permute(2, 0, 1), a.slice(1).transpose(), Nd.rows(a, 1, 3)};
        for (INDArray v : views) assertArrayEquals(byElement(v), Nd.values(v), 0.0, v.shapeInfoToString());
    }

    @Test
    void copiesIntoAScratchArrayAndBackTouchOnlyTheArraysValues() {
        INDArray a = counting(3, 4, 5);
        INDArray middle = Nd.rows(a.reshape(12, 5), 4, 9);                  // a view that starts at value 20
        double[] into = new double[40];
        java.util.Arrays.fill(into, -1);
        assertSame(into, Nd.copy(middle, into));
        assertArrayEquals(byElement(middle), java.util.Arrays.copyOf(into, 25), 0.0);
        assertEquals(-1, into[25]);                                         // a longer array keeps the rest
        for (int i = 0; i < 25; i++) into[i] = 100 + i;
        Nd.copy(into, middle);
        double[] all = Nd.values(a);
        for (int i = 0; i < 60; i++) assertEquals(i >= 20 && i < 45 ? 80 + i : i, all[i], "value " + i);
    }

    @Test
    void denseViewsAreNotCopied() {
        INDArray a = counting(3, 4, 5);
        INDArray slice = a.slice(1), reshaped = a.reshape(12, 5), permuted = a.permute(1, 0, 2);
        assertSame(slice, Nd.contiguous(slice));
        assertSame(reshaped, Nd.contiguous(reshaped));
        INDArray copy = Nd.contiguous(permuted);
        assertNotSame(permuted, copy);
        assertArrayEquals(byElement(permuted), Nd.values(copy), 0.0);
    }

    @Test
    void arraysWithUnitDimensionsAreDense() {
        // One record of one token: (1, 1, C). ND4J's fresh arrays of such shapes fail its own default-strides test.
        for (long[] shape : new long[][] {{1, 1, 6}, {2, 1, 6}, {1, 3, 1}, {1, 1, 1}}) {
            INDArray a = counting(shape);
            assertSame(a, Nd.contiguous(a), a.shapeInfoToString());
            assertEquals(a.length(), Nd.buffer(a).capacity());
        }
        // Before, the kernels that work in place refused it: "Nd.buffer needs a dense C-ordered array".
        Tensor x = Tensor.param(counting(2, 1, 6));
        Tensor y = LayerNorm.apply(Gelu.apply(x), Tensor.param(Nd.zeros(6).addi(1)), Tensor.param(Nd.zeros(6)));
        assertArrayEquals(new long[] {2, 1, 6}, y.shape());
    }

    @Test
    void partsCoverEveryIndexOnce() {
        for (int n : new int[] {0, 1, 2, 3, 7, 4097}) {
            int[] seen = new int[n];
            Nd.inParts(n, (from, to) -> {
                for (int i = from; i < to; i++) seen[i]++;
            });
            for (int i = 0; i < n; i++) assertEquals(1, seen[i], "n " + n + ", index " + i);
        }
    }

    @Test
    void whatThePartOnTheOtherCoreThrowsReachesTheCallerAsThrown() throws Exception {
        // Both ways a part can end: run by the other core (this thread busy long enough for it to start), or
        // taken back and run here (this thread done at once).
        for (long busyMs : new long[] {0, 50, 0, 50}) {
            IllegalStateException thrown = new IllegalStateException("from the other core");
            IllegalStateException caught = assertThrows(IllegalStateException.class,
                    () -> Nd.onBothCores(() -> sleep(busyMs), () -> { throw thrown; }));
            assertSame(thrown, caught);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
