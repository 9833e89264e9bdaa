package minitrain;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** One seed, one stream: restored from its state, split into children, and drawn many at a time. */
class RngTest {

    @Test
    void sameSeedSameStream() {
        Rng a = new Rng(42), b = new Rng(42);
        for (int i = 0; i < 1000; i++) assertEquals(a.nextLong(), b.nextLong());
    }

    @Test
    void stateRestoresTheStream() {
        Rng a = new Rng(7);
        for (int i = 0; i < 10; i++) a.nextGaussian();
        Rng b = new Rng(a.state());
        for (int i = 0; i < 100; i++) assertEquals(a.nextDouble(), b.nextDouble());
    }

    @Test
    void nextIntIsInRangeAndRoughlyUniform() {
        Rng r = new Rng(1);
        int[] counts = new int[10];
        for (int i = 0; i < 100_000; i++) counts[r.nextInt(10)]++;
        for (int c : counts) assertTrue(c > 9_500 && c < 10_500, "count " + c);
    }

    @Test
    void gaussianHasUnitMoments() {
        Rng r = new Rng(3);
        double s = 0, s2 = 0;
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            double x = r.nextGaussian();
            s += x;
            s2 += x * x;
        }
        assertEquals(0.0, s / n, 0.01);
        assertEquals(1.0, s2 / n, 0.01);
    }

    @Test
    void splitChildrenDiffer() {
        Rng parent = new Rng(5);
        assertNotEquals(parent.split().nextLong(), parent.split().nextLong());
    }

    @Test
    void reservedNumbersAreTheNextDoubles() {
        Rng one = new Rng(1337), batch = new Rng(1337);
        one.nextDouble();
        batch.nextDouble();
        long start = batch.reserve(10_000);
        for (int i = 0; i < 10_000; i++) assertEquals(one.nextDouble(), Rng.nthDouble(start, i), 0.0, "number " + i);
        // After them both streams continue at the same place.
        assertEquals(one.state(), batch.state());
        assertEquals(one.nextLong(), batch.nextLong());
    }

    @Test
    void reservingNothingMovesNothing() {
        Rng a = new Rng(5), b = new Rng(5);
        a.reserve(0);
        assertEquals(b.nextDouble(), a.nextDouble(), 0.0);
    }

    @Test
    void aBlockMaskMakesTheOneAtATimeChoice() {
        Rng.Block block = new Rng.Block();
        double[] out = new double[Rng.Block.SIZE];
        long start = new Rng(99).reserve(5000);
        for (double p : new double[] {0.05, 0.1, 0.5, 0.9, 0x1.0p-53, 0.3 + 0x1.0p-50}) {
            double value = 1 / (1 - p);
            for (int from = 0; from < 5000; from += 700) {
                int len = Math.min(Rng.Block.SIZE, 5000 - from);      // a short last block too
                block.mask(start, from, len, p, value, out);
                for (int i = 0; i < len; i++) {
                    double expected = Rng.nthDouble(start, from + i) < p ? 0 : value;
                    assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(out[i]),
                            "p " + p + ", number " + (from + i));
                }
            }
        }
    }

    @Test
    void theThresholdSplitsTheNumbersExactlyAtP() {
        // At the edge: the integers u just below and at the threshold, for p on the 2^-53 grid and between it.
        double[] ps = {0x1.0p-53, 0.05, 0.1, 0.25, 1.0 / 3, 0.5, 0.75, 0.999, 0x1.0p-60, 3 * 0x1.0p-53};
        for (double p : ps) {
            long t = Rng.threshold(p);
            for (long u = Math.max(0, t - 2); u <= t + 2; u++) {
                assertEquals(u * 0x1.0p-53 < p, u < t, "p " + p + ", u " + u);
            }
        }
    }
}
