package minitrain.train;

import java.util.List;
import minitrain.KitError;
import minitrain.corpus.Protocol;

/**
 * A batch of records as the model sees it, right-padded to the longest record of the batch.
 * A record {@code <bos> c1 .. cn <eos>} gives inputs {@code <bos> c1 .. cn} and targets {@code c1 .. cn <eos>}:
 * the target at position i is the token after input i (the shift by one).
 *
 * @param idx     (B, T) input ids, {@code <pad>} after the record ends
 * @param targets (B, T) the next token at each position, {@code <pad>} after the record ends
 * @param real    (B, T) true where the input is a real token: attention never reads a padding key
 * @param counted (B, T) true where the target is a real token: only these enter the loss
 * @param tokens  how many targets are counted, the loss's denominator
 */
public record Batch(int[][] idx, int[][] targets, boolean[][] real, boolean[][] counted, int tokens) {

    public static Batch of(List<int[]> sequences, int padId, int blockSize) {
        Protocol.Padded p = Protocol.pad(sequences, padId);
        int t = p.inputs().length == 0 ? 0 : p.inputs()[0].length;
        if (t > blockSize) throw new KitError("a record of " + (t + 1) + " tokens does not fit block_size " + blockSize
                + " (inputs are one token shorter than the record)");
        // A target is counted exactly where its input is real: the record's last input predicts <eos>.
        int tokens = p.tokens();
        boolean[][] counted = new boolean[p.real().length][];
        // Its own copy: editing one mask never edits the other.
        for (int r = 0; r < counted.length; r++) counted[r] = p.real()[r].clone();
        return new Batch(p.inputs(), p.targets(), p.real(), counted, tokens);
    }

    /** Counted targets over several micro-batches: the normaliser of one accumulated optimizer step. */
    public static int tokens(List<Batch> microBatches) {
        int n = 0;
        for (Batch b : microBatches) n += b.tokens;
        return n;
    }

    /** The share of the batches' (B, T) targets that are padding: positions computed and then masked out. */
    public static double padFraction(List<Batch> batches) {
        long real = 0, all = 0;
        for (Batch b : batches) {
            real += b.tokens;
            all += b.allTargets();
        }
        return all == 0 ? 0 : 1 - (double) real / all;
    }

    /**
     * The full attention mask (B, T, T) the model applies, for display and tests: query i may read key j
     * when j <= i (causal) and key j is a real token.
     */
    public boolean[][][] attentionMask() {
        int b = idx.length, t = b == 0 ? 0 : idx[0].length;
        boolean[][][] m = new boolean[b][t][t];
        for (int r = 0; r < b; r++)
            for (int i = 0; i < t; i++)
                for (int j = 0; j <= i; j++) m[r][i][j] = real[r][j];
        return m;
    }

    /** Every target counted, padding included: the loss without its mask (the "what breaks" experiment). */
    public boolean[][] everyTarget() {
        boolean[][] all = new boolean[counted.length][];
        for (int r = 0; r < all.length; r++) {
            all[r] = new boolean[counted[r].length];
            java.util.Arrays.fill(all[r], true);
        }
        return all;
    }

    public int allTargets() {
        return idx.length == 0 ? 0 : idx.length * idx[0].length;
    }
}
