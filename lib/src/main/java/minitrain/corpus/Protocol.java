package minitrain.corpus;

import java.util.List;

/**
 * The evaluation protocol shared by the n-gram baseline and MiniGPT, written once so both are scored
 * the same way. A record is the token sequence {@code <bos>} + the characters of its text + {@code <eos>};
 * every token after {@code <bos>} is predicted from the record's own prefix (no context crosses
 * records); a split's perplexity is exp(total negative log-likelihood / number of predicted tokens).
 */
public final class Protocol {

    private Protocol() {}

    /** A language model as the protocol sees it. */
    public interface Scorer {
        /**
         * Natural-log probabilities of {@code seq[1..n-1]}, each given the tokens before it in the same
         * sequence: element i-1 is log p(seq[i] | seq[0..i-1]). Length n-1.
         */
        double[] logProbs(int[] seq);
    }

    /** Total NLL (nats), number of predicted tokens, and the perplexity they give. */
    public record Score(double nll, long tokens) {
        public double perplexity() {
            return Math.exp(nll / tokens);
        }

        public double meanNll() {
            return nll / tokens;
        }
    }

    public static int[] sequence(Record r, Vocab vocab) {
        int[] chars = vocab.encode(r.text());
        int[] seq = new int[chars.length + 2];
        seq[0] = vocab.bosId;
        System.arraycopy(chars, 0, seq, 1, chars.length);
        seq[seq.length - 1] = vocab.eosId;
        return seq;
    }

    /**
     * Records as model inputs, right-padded with {@code pad} to the longest: inputs are a record without its
     * last token, targets without its first (the target at i is the token after input i), and
     * {@code real[b][i]} marks positions that hold a token rather than padding.
     */
    /** Records right-padded to the longest: inputs and targets (B, T), and where the input is a real token. */
    public record Padded(int[][] inputs, int[][] targets, boolean[][] real) {

        /** Real inputs, which is also the number of real targets (the last real input predicts <eos>). */
        public int tokens() {
            int n = 0;
            for (boolean[] row : real) for (boolean x : row) n += x ? 1 : 0;
            return n;
        }
    }

    public static Padded pad(List<int[]> sequences, int pad) {
        int t = 0;
        for (int[] s : sequences) t = Math.max(t, s.length - 1);
        int b = sequences.size();
        int[][] idx = new int[b][t], tgt = new int[b][t];
        boolean[][] real = new boolean[b][t];
        for (int r = 0; r < b; r++) {
            int[] s = sequences.get(r);
            for (int i = 0; i < t; i++) {
                boolean in = i < s.length - 1;
                idx[r][i] = in ? s[i] : pad;
                tgt[r][i] = in ? s[i + 1] : pad;
                real[r][i] = in;
            }
        }
        return new Padded(idx, tgt, real);
    }

    public static Score score(List<Record> records, Vocab vocab, Scorer model) {
        double nll = 0;
        long tokens = 0;
        for (Record r : records) {
            for (double lp : model.logProbs(sequence(r, vocab))) {
                nll -= lp;
                tokens++;
            }
        }
        return new Score(nll, tokens);
    }
}
