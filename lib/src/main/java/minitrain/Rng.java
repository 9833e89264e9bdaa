package minitrain;

/**
 * The kit's random number generator: SplitMix64 (Steele, Lea and Flood 2014). Its whole state is one
 * {@code long}, so a checkpoint stores it as a number and a resumed run continues the exact same stream.
 * Nothing in the kit uses {@code Math.random()}, {@code Nd4j.getRandom()} or an unseeded generator.
 *
 * <p>Each consumer (initialisation, data order, dropout) gets its own generator, {@link #split}
 * from a parent, so drawing one more number in one place never shifts the numbers drawn elsewhere.
 */
public final class Rng {

    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** The whole state: store it, and {@code new Rng(state())} continues exactly where this one is. */
    public long state() {
        return state;
    }

    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    public long nextLong() {
        return mix(state += GAMMA);
    }

    /** SplitMix64's output function: the number drawn when the state has just become {@code z}. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return toDouble(nextLong());
    }

    private static double toDouble(long r) {
        return (r >>> 11) * 0x1.0p-53;
    }

    /**
     * Sets aside the next n numbers and returns the state they start from: the i-th of them (i from 0) is
     * {@link #nthDouble}(start, i), the value the i-th call of nextDouble would have returned, and the state
     * ends where n calls would leave it. The i-th number after state s is mix(s + (i + 1) * GAMMA), so it needs
     * no number before it: a dropout mask can be drawn on all cores, with the same values as one by one.
     */
    public long reserve(int n) {
        long start = state;
        state += n * GAMMA;
        return start;
    }

    /** The i-th number (from 0) of those {@link #reserve} set aside from {@code start}, as nextDouble gives it. */
    public static double nthDouble(long start, long i) {
        return toDouble(mix(start + (i + 1) * GAMMA));
    }

    /**
     * One core's working arrays for drawing a block of reserved numbers at once ({@link #mask}). Drawing one
     * number at a time in a loop (nthDouble, then a comparison) runs in scalar instructions, about 1.5 ns a
     * number; the same steps written as short loops over a whole block, in longs, run in vector instructions,
     * about 0.5 ns (docs/performance.md), with the same result.
     */
    public static final class Block {

        public static final int SIZE = 512;

        /** i * GAMMA for i in 0..SIZE-1: a block's states are its first state plus these (a vector add). */
        private static final long[] STEPS = new long[SIZE];

        static {
            for (int i = 0; i < SIZE; i++) STEPS[i] = i * GAMMA;
        }

        private final long[] z = new long[SIZE], w = new long[SIZE];

        /**
         * out[i] = nthDouble(start, from + i) &lt; p ? 0 : value for i in 0..len-1 (len at most SIZE). The
         * comparison is made on the integer u the number is made of (it is u / 2^53, u below 2^53), where it is
         * exact: u / 2^53 &lt; p exactly when u &lt; ceil(p 2^53) ({@link #threshold}). The choice between 0 and
         * value is made in their bits, all ones or all zeros from the comparison's sign.
         */
        public void mask(long start, long from, int len, double p, double value, double[] out) {
            long first = start + (from + 1) * GAMMA, t = threshold(p), bits = Double.doubleToRawLongBits(value);
            for (int i = 0; i < len; i++) z[i] = first + STEPS[i];
            // mix, one line of it per loop: a longer loop body is compiled to scalar instructions
            for (int i = 0; i < len; i++) w[i] = (z[i] ^ (z[i] >>> 30)) * 0xBF58476D1CE4E5B9L;
            for (int i = 0; i < len; i++) z[i] = (w[i] ^ (w[i] >>> 27)) * 0x94D049BB133111EBL;
            for (int i = 0; i < len; i++) w[i] = z[i] ^ (z[i] >>> 31);
            // (u - t) >> 63 is all ones when u < t (the number is below p): then 0, else value's bits
            for (int i = 0; i < len; i++) z[i] = bits & ~(((w[i] >>> 11) - t) >> 63);
            for (int i = 0; i < len; i++) out[i] = Double.longBitsToDouble(z[i]);
        }
    }

    /**
     * The least integer t with t / 2^53 &gt;= p, for p in [0, 1]: a number u / 2^53 from {@link #nextDouble} is
     * below p exactly when u &lt; t. p 2^53 is exact (a power of two only moves the exponent), and so is its ceiling.
     */
    public static long threshold(double p) {
        return (long) Math.ceil(p * 0x1.0p53);
    }

    /** Uniform integer in [0, bound), without modulo bias (rejection sampling). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long limit = Long.remainderUnsigned(-1L, bound); // the biased tail to reject
        while (true) {
            long r = nextLong();
            if (Long.compareUnsigned(r, -1L - limit) <= 0) return (int) Long.remainderUnsigned(r, bound);
        }
    }

    /** Standard normal by Box-Muller; one value per call so the state stays a single long. */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]: log(0) would be -infinity
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** A child generator seeded from this one's stream: independent consumers never share draws. */
    public Rng split() {
        return new Rng(nextLong());
    }

    /** Fisher-Yates shuffle in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
