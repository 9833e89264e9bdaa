package minitrain.ngram;

import java.util.List;
import minitrain.KitError;
import minitrain.corpus.Protocol;
import minitrain.corpus.Vocab;

/**
 * A character n-gram language model with interpolated modified Kneser-Ney smoothing (Chen and Goodman
 * 1998). The top order uses raw counts; each lower order uses continuation counts (how many different
 * tokens were seen before an n-gram), which is what makes "→ ellos" predict well from a short history;
 * every order hands the mass it discounted down to the next, and order 1 hands it to the uniform
 * distribution over the tokens that can be predicted (every token but {@code <pad>} and {@code <bos>}).
 *
 * <p>Histories are padded on the left with {@code <bos>} to the longest order, in training and in
 * scoring alike, so a record's first characters are predicted from "start of record" contexts and no
 * context ever crosses records.
 */
public final class KneserNey implements Protocol.Scorer {

    private final int maxOrder;
    private final int order;
    private final int bosId;
    private final int predictable;
    private final CountTable[] raw;   // raw[m]: counts of m-grams
    private final CountTable[] cont;  // cont[m]: continuation counts of m-grams, m < maxOrder

    private KneserNey(int maxOrder, int order, int bosId, int predictable, CountTable[] raw, CountTable[] cont) {
        this.maxOrder = maxOrder;
        this.order = order;
        this.bosId = bosId;
        this.predictable = predictable;
        this.raw = raw;
        this.cont = cont;
    }

    /**
     * Counts every order from 1 to {@code maxOrder} once. Each sequence is a record as the protocol
     * gives it: {@code <bos>} + characters + {@code <eos>}.
     */
    public static KneserNey train(List<int[]> sequences, int maxOrder, Vocab vocab) {
        if (maxOrder < 1 || maxOrder > 10) throw new KitError("n-gram order must be 1..10, got " + maxOrder);
        if (vocab.size() > (1 << CountTable.BITS)) {
            throw new KitError("vocabulary of " + vocab.size() + " tokens is too large for 6-bit n-gram keys");
        }
        CountTable[] raw = new CountTable[maxOrder + 1], cont = new CountTable[maxOrder + 1];
        for (int m = 1; m <= maxOrder; m++) raw[m] = new CountTable();
        for (int[] seq : sequences) {
            int[] t = pad(seq, maxOrder, vocab.bosId);
            for (int i = maxOrder; i < t.length; i++) { // every target after the record's own <bos>
                long key = 0;
                for (int m = 1; m <= maxOrder; m++) {
                    key |= (long) t[i - m + 1] << (CountTable.BITS * (m - 1));
                    raw[m].add(key, 1);
                }
            }
        }
        for (int m = 1; m < maxOrder; m++) {
            // Continuation count of an m-gram = number of distinct (m+1)-grams that end with it.
            cont[m] = new CountTable();
            long mask = (1L << (CountTable.BITS * m)) - 1;
            for (long key : raw[m + 1].counts.keySet()) cont[m].add(key & mask, 1);
            cont[m].finish();
        }
        for (int m = 1; m <= maxOrder; m++) raw[m].finish();
        int predictable = vocab.size() - 2; // never <pad>, never <bos>
        return new KneserNey(maxOrder, maxOrder, vocab.bosId, predictable, raw, cont);
    }

    /** The same counts seen as a model of a lower order (raw counts at the top, continuation below). */
    public KneserNey withOrder(int n) {
        if (n < 1 || n > maxOrder) throw new KitError("order " + n + " is outside 1.." + maxOrder);
        return new KneserNey(maxOrder, n, bosId, predictable, raw, cont);
    }

    public int order() {
        return order;
    }

    /** Stored n-grams this model uses: raw counts of its top order plus continuation counts below it. */
    public long size() {
        long s = raw[order].size();
        for (int m = 1; m < order; m++) s += cont[m].size();
        return s;
    }

    /** The three discounts (D1, D2, D3+) of order m as this model uses them. */
    public double[] discounts(int m) {
        CountTable t = m == order ? raw[m] : cont[m];
        return new double[] {t.d1, t.d2, t.d3};
    }

    /**
     * p(w | history), where {@code history[0..end)} are the tokens before w (the record's own prefix,
     * starting with {@code <bos>}); only the last order-1 of them matter.
     */
    public double prob(int[] history, int end, int w) {
        double p = 1.0 / predictable;
        long ctx = 0;
        for (int m = 1; m <= order; m++) {
            if (m > 1) { // extend the context by one token to the left (<bos> beyond the record's start)
                int pos = end - (m - 1);
                int tok = pos >= 0 ? history[pos] : bosId;
                ctx |= (long) tok << (CountTable.BITS * (m - 2));
            }
            CountTable t = m == order ? raw[m] : cont[m];
            int[] agg = t.contexts.get(ctx);
            if (agg == null) continue; // unseen context: keep the lower order's estimate
            int c = t.counts.get((ctx << CountTable.BITS) | w);
            double backoff = t.d1 * agg[1] + t.d2 * agg[2] + t.d3 * agg[3];
            p = (Math.max(c - t.discount(c), 0) + backoff * p) / agg[0];
        }
        return p;
    }

    @Override
    public double[] logProbs(int[] seq) {
        double[] out = new double[seq.length - 1];
        for (int i = 1; i < seq.length; i++) out[i - 1] = Math.log(prob(seq, i, seq[i]));
        return out;
    }

    private static int[] pad(int[] seq, int maxOrder, int bos) {
        int extra = maxOrder - 1; // the record already starts with one <bos>
        int[] t = new int[seq.length + extra];
        java.util.Arrays.fill(t, 0, extra, bos);
        System.arraycopy(seq, 0, t, extra, seq.length);
        return t;
    }
}
