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
}
