package minitrain.ngram;

import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

/**
 * The counts of one order (raw counts, or continuation counts for the lower orders), with what
 * Kneser-Ney needs per context: the total, how many followers were seen once, twice, three or more times,
 * and the three discounts of the order. An n-gram is packed into a long, 6 bits per token.
 */
final class CountTable {

    static final int BITS = 6;

    final Long2IntOpenHashMap counts = new Long2IntOpenHashMap();
    /** context key -> {total, n1, n2, n3+}. */
    final Long2ObjectOpenHashMap<int[]> contexts = new Long2ObjectOpenHashMap<>();
    double d1, d2, d3;

    void add(long key, int c) {
        counts.addTo(key, c);
    }

    /** Context aggregates and discounts; call once all counts are in. */
    void finish() {
        long[] countOfCounts = new long[5];
        for (var e : counts.long2IntEntrySet()) {
            int c = e.getIntValue();
            if (c <= 4) countOfCounts[c]++;
            int[] agg = contexts.computeIfAbsent(e.getLongKey() >>> BITS, k -> new int[4]);
            agg[0] += c;
            agg[Math.min(c, 3)]++;
        }
        double[] d = discounts(countOfCounts[1], countOfCounts[2], countOfCounts[3], countOfCounts[4]);
        d1 = d[0];
        d2 = d[1];
        d3 = d[2];
    }

    double discount(int c) {
        return c == 0 ? 0 : c == 1 ? d1 : c == 2 ? d2 : d3;
    }

    /**
     * Chen and Goodman's estimates from counts-of-counts: Y = n1 / (n1 + 2 n2), D_k = k - (k+1) Y n_{k+1} / n_k.
     * Where a count-of-counts is zero the formula has no value: D_k falls back to the discount below it
     * (0.5 for D1). Each D_k is kept in [0.05, k] so that a context always passes some mass to the lower
     * order (no zero probabilities) and never discounts more than it counted.
     */
    static double[] discounts(long n1, long n2, long n3, long n4) {
        double y = n1 + 2 * n2 > 0 ? n1 / (double) (n1 + 2 * n2) : 0.5;
        double d1 = n1 > 0 ? 1 - 2 * y * n2 / n1 : 0.5;
        double d2 = n2 > 0 ? 2 - 3 * y * n3 / n2 : d1;
        double d3 = n3 > 0 ? 3 - 4 * y * n4 / n3 : d2;
        return new double[] {clamp(d1, 1), clamp(d2, 2), clamp(d3, 3)};
    }

    private static double clamp(double d, int k) {
        return Math.max(0.05, Math.min(k, d));
    }

    int size() {
        return counts.size();
    }
}
