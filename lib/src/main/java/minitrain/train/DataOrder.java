package minitrain.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import minitrain.Rng;

/**
 * Which training records come next. Every epoch is a fresh permutation drawn by the kit's Rng; the position
 * (epoch, index) and the generator's state at the start of the epoch are all a checkpoint needs to continue
 * with exactly the batches an uninterrupted run would have seen.
 *
 * <p>With {@link Buckets} the permutation is then grouped by length (theory 01). A batch is padded to its
 * longest record, so 32 records drawn at random carry about 30% padding, which every layer computes and the loss
 * mask then throws away. Sorted by length within a pool of a few batches' records, cut into batches, and those
 * batches shuffled, they pad a few percent; every record is still seen once per epoch.
 */
public final class DataOrder {

    /**
     * Length bucketing: {@code lengths[i]} is record i's input length (the positions it fills in a batch),
     * {@code batchSize} the records of an ordinary batch, and {@code poolBatches} how many batches' worth of the
     * shuffled order are sorted together.
     * A larger pool pads less but gives each batch a narrower sample of the corpus.
     */
    public record Buckets(int[] lengths, int batchSize, int poolBatches) {

        /**
         * Real tokens per bucketed batch: what an ordinary batch of records of mean length holds. A batch of short
         * records takes more of them, a batch of long ones fewer, so every step has about as many real tokens as
         * an ordinary one. With a fixed number of records instead, a step of short records would have few
         * tokens, and the step's mean loss would weigh each of them more than a token of a long record
         * (measured with pools of 16: val perplexity 1.4626 against 1.4457, docs/performance.md).
         */
        public long tokens() {
            long sum = 0;
            for (int n : lengths) sum += n;
            return Math.max(1, Math.round((double) batchSize * sum / lengths.length));
        }
    }

    private final int n;
    private final Buckets buckets;
    private Rng rng;
    private long epochStartState;
    private int epoch;
    private int position;
    private int[] order;
    /** With buckets: where each batch of the epoch ends in {@code order}; batches never cross epochs. */
    private int[] batchEnds;

    public DataOrder(int n, long seed) {
        this(n, 0, 0, seed, null);
    }

    public DataOrder(int n, long seed, Buckets buckets) {
        this(n, 0, 0, seed, buckets);
    }

    /**
     * Restores a saved state: the permutation of {@code epoch} is drawn (and grouped) again from
     * {@code epochStartState}. {@code buckets} null keeps the plain permutation.
     */
    public DataOrder(int n, int epoch, int position, long epochStartState, Buckets buckets) {
        if (buckets != null && buckets.lengths().length != n) {
            throw new IllegalArgumentException(buckets.lengths().length + " lengths for " + n + " records");
        }
        this.n = n;
        this.buckets = buckets;
        this.epoch = epoch;
        this.position = position;
        startEpoch(epochStartState);
    }

    private void startEpoch(long state) {
        epochStartState = state;
        rng = new Rng(state);
        order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        rng.shuffle(order);
        if (buckets != null) groupByLength();
    }

    /**
     * Sorts each pool of the permutation by length, cuts it into batches of about {@link Buckets#tokens}
     * real tokens each, and shuffles the pool's batches (or every pool would run from its shortest batch to its
     * longest).
     */
    private void groupByLength() {
        int pool = buckets.batchSize() * buckets.poolBatches();
        long target = buckets.tokens();   // real tokens per batch
        int[] lengths = buckets.lengths();
        int[] grouped = new int[n];
        List<Integer> ends = new ArrayList<>();
        int at = 0;
        for (int start = 0; start < n; start += pool) {
            int end = Math.min(n, start + pool);
            Integer[] records = new Integer[end - start];
            for (int i = start; i < end; i++) records[i - start] = order[i];
            // Stable: records of equal length keep their random order.
            Arrays.sort(records, Comparator.comparingInt(r -> lengths[r]));
            // Cut: a batch takes records, shortest first, while that brings its real tokens nearer to an ordinary
            // batch's ({@link Buckets#tokens}); a pool's short remainder joins the batch before it.
            List<int[]> batches = new ArrayList<>();
            for (int first = 0; first < records.length; ) {
                long tokens = lengths[records[first]];
                int last = first + 1;
                while (last < records.length && tokens + lengths[records[last]] / 2.0 <= target) {
                    tokens += lengths[records[last++]];
                }
                if (2 * tokens < target && !batches.isEmpty()) batches.get(batches.size() - 1)[1] = last;
                else batches.add(new int[] {first, last});
                first = last;
            }
            int[] shuffled = new int[batches.size()];
            for (int k = 0; k < shuffled.length; k++) shuffled[k] = k;
            rng.shuffle(shuffled);
            for (int k : shuffled) {
                for (int i = batches.get(k)[0]; i < batches.get(k)[1]; i++) grouped[at++] = records[i];
                ends.add(at);
            }
        }
        order = grouped;
        batchEnds = ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The records of the next batch: {@code batchSize} of them, or with buckets the next batch of the epoch's
     * plan (about as many real tokens as {@code batchSize} records of mean length).
     */
    public int[] nextBatch(int batchSize) {
        if (buckets == null) return next(batchSize);
        if (position == n) {
            epoch++;
            position = 0;
            startEpoch(rng.state());
        }
        int k = Arrays.binarySearch(batchEnds, position + 1);
        int end = batchEnds[k >= 0 ? k : -k - 1];
        int[] out = Arrays.copyOfRange(order, position, end);
        position = end;
        return out;
    }

    /** The next {@code size} record indices; an epoch boundary inside a batch continues into the next epoch. */
    public int[] next(int size) {
        if (buckets != null) throw new IllegalStateException("a bucketed order is taken a batch at a time: nextBatch");
        int[] out = new int[size];
        for (int k = 0; k < size; k++) {
            if (position == n) {
                epoch++;
                position = 0;
                startEpoch(rng.state()); // the next epoch's permutation continues the same stream
            }
            out[k] = order[position++];
        }
        return out;
    }

    public int epoch() {
        return epoch;
    }

    public int position() {
        return position;
    }

    public long epochStartState() {
        return epochStartState;
    }
}
