package minitrain.train;

import minitrain.Rng;

/**
 * Which training records come next. Every epoch is a fresh permutation drawn by the kit's Rng; the position
 * (epoch, index) and the generator's state at the start of the epoch are all a checkpoint needs to continue
 * with exactly the batches an uninterrupted run would have seen.
 */
public final class DataOrder {

    private final int n;
    private Rng rng;
    private long epochStartState;
    private int epoch;
    private int position;
    private int[] order;

    public DataOrder(int n, long seed) {
        this(n, 0, 0, seed);
    }

    /** Restores a saved state: the permutation of {@code epoch} is drawn again from {@code epochStartState}. */
    public DataOrder(int n, int epoch, int position, long epochStartState) {
        this.n = n;
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
    }

    /** The next {@code size} record indices; an epoch boundary inside a batch continues into the next epoch. */
    public int[] next(int size) {
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
