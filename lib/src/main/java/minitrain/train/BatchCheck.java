package minitrain.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import minitrain.Exercise;
import minitrain.KitError;
import minitrain.Rng;

/**
 * Lab 00's checks: the learner's batch function against {@link Batch#of}, and the learner's attention mask
 * against {@link Batch#attentionMask}, on the same seeded draws of records. A batch holds integers and booleans,
 * so the bar is equality. Like {@link Exercise#check}, the answer is one line that starts "correct: ",
 * "not answered yet: " or "not right yet: "; a wrong answer names the draw, the first cell that differs and
 * the rule that cell breaks. Nothing the learner's code throws escapes: it is reported the same way.
 */
public final class BatchCheck {

    /** Random draws after the three fixed ones. */
    public static final int RANDOM_DRAWS = 200;
    /** A random draw holds 1 to MAX_RECORDS records. */
    public static final int MAX_RECORDS = 8;

    private BatchCheck() {}

    /** The records of one batch, named so that a failed check can say which batch it was. */
    public record Draw(String name, List<int[]> records) {}

    /**
     * The batches both checks feed in, in this order: one record alone (nothing to pad); the pool's longest
     * record in the second row, beside three others (the most padding, and row 0 is not the longest); four
     * records of the pool's most common length (several rows, no padding); then {@link #RANDOM_DRAWS} batches
     * of 1 to {@link #MAX_RECORDS} records drawn with repeats. Records are picked by {@code new Rng(seed)}.
     */
    public static List<Draw> draws(List<int[]> pool, long seed) {
        if (pool.isEmpty()) throw new KitError("BatchCheck: the pool of records to draw from is empty");
        Rng rng = new Rng(seed);
        List<Draw> draws = new ArrayList<>();
        draws.add(new Draw("a one-record batch", List.of(pick(pool, rng))));
        int[] longest = pool.get(0);
        for (int[] r : pool) if (r.length > longest.length) longest = r;
        List<int[]> withLongest = new ArrayList<>(List.of(pick(pool, rng), longest, pick(pool, rng), pick(pool, rng)));
        draws.add(new Draw("the batch holding the longest record (" + longest.length + " tokens, row 1)", withLongest));
        List<int[]> equal = equalLength(pool, 4);
        draws.add(new Draw(equal.size() + " records of equal length (" + equal.get(0).length + " tokens)", equal));
        for (int d = 0; d < RANDOM_DRAWS; d++) {
            int n = 1 + rng.nextInt(MAX_RECORDS);
            List<int[]> records = new ArrayList<>();
            for (int k = 0; k < n; k++) records.add(pick(pool, rng));
            draws.add(new Draw("random draw " + d + " (" + n + " records)", records));
        }
        return draws;
    }

    /**
     * Checks {@code learner} (records to batch) against {@code Batch.of(records, padId, ...)} on every draw:
     * the shape (B, T), then idx, targets, real, counted and tokens, cell by cell.
     */
    public static String batch(String name, Function<List<int[]>, Batch> learner, List<int[]> pool, int padId,
                               long seed) {
        List<Draw> draws = draws(pool, seed);
        for (int d = 0; d < draws.size(); d++) {
            Draw draw = draws.get(d);
            Batch expected = Batch.of(draw.records(), padId, Integer.MAX_VALUE);
            Batch got;
            try {
                got = learner.apply(copies(draw.records()));   // a copy: the learner's code cannot edit the pool
            } catch (RuntimeException e) {
                return threw(name, draw, e, "an index past the end of a record or a row: input i exists while"
                        + " i < n - 1 (n = the record's length), and T is the longest record's length minus one");
            }
            if (got == null) {
                if (d == 0) return Exercise.notAnswered(name);
                return wrong(name, draw, "returned null", "return a Batch for every list of records");
            }
            BatchDiff diff = BatchDiff.ofBatch(expected, got, draw.records());
            if (diff != null) return wrong(name, draw, diff.what(), diff.hint());
        }
        return "correct: " + name + " equals Batch.of on " + summary(draws);
    }

    /**
     * Checks {@code learner} (batch to its (B, T, T) mask) against {@link Batch#attentionMask} on the library's
     * batch of every draw, so this check does not depend on the learner's batch function.
     */
    public static String attention(String name, Function<Batch, boolean[][][]> learner, List<int[]> pool,
                                   int padId, long seed) {
        List<Draw> draws = draws(pool, seed);
        for (int d = 0; d < draws.size(); d++) {
            Draw draw = draws.get(d);
            Batch batch = Batch.of(draw.records(), padId, Integer.MAX_VALUE);
            boolean[][][] got;
            try {
                got = learner.apply(Batch.of(draw.records(), padId, Integer.MAX_VALUE)); // its own copy to read
            } catch (RuntimeException e) {
                return threw(name, draw, e, "an index past the end: the mask is (B, T, T) with B = idx.length and"
                        + " T = idx[0].length");
            }
            if (got == null) {
                if (d == 0) return Exercise.notAnswered(name);
                return wrong(name, draw, "returned null", "return a (B, T, T) mask for every batch");
            }
            BatchDiff diff = BatchDiff.ofMask(batch.attentionMask(), got, batch.real());
            if (diff != null) return wrong(name, draw, diff.what(), diff.hint());
        }
        return "correct: " + name + " equals Batch.attentionMask on " + summary(draws);
    }

    private static int[] pick(List<int[]> pool, Rng rng) {
        return pool.get(rng.nextInt(pool.size()));
    }

    /** Up to n records of the pool's most common length (the first of them in pool order). */
    private static List<int[]> equalLength(List<int[]> pool, int n) {
        Map<Integer, Integer> count = new TreeMap<>();   // sorted: a tie goes to the shorter length
        for (int[] r : pool) count.merge(r.length, 1, Integer::sum);
        int best = count.keySet().iterator().next();
        for (var e : count.entrySet()) if (e.getValue() > count.get(best)) best = e.getKey();
        List<int[]> out = new ArrayList<>();
        for (int[] r : pool) if (r.length == best && out.size() < n) out.add(r);
        return out;
    }

    private static List<int[]> copies(List<int[]> records) {
        List<int[]> out = new ArrayList<>();
        for (int[] r : records) out.add(r.clone());
        return out;
    }

    private static String summary(List<Draw> draws) {
        return draws.size() + " batches: " + draws.get(0).name() + ", " + draws.get(1).name() + ", "
                + draws.get(2).name() + " and " + RANDOM_DRAWS + " random draws of 1 to " + MAX_RECORDS + " records";
    }

    private static String threw(String name, Draw draw, RuntimeException e, String hint) {
        return wrong(name, draw, "threw " + e.getClass().getSimpleName() + ": " + e.getMessage(), hint);
    }

    private static String wrong(String name, Draw draw, String what, String hint) {
        return "not right yet: " + name + " on " + draw.name() + ": " + what + ". Hint: " + hint;
    }
}
