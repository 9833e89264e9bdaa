package minitrain.model;

import java.util.ArrayList;
import java.util.List;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.StepMemory;
import minitrain.autograd.Tensor;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Vocab;

/**
 * MiniGPT under the shared evaluation protocol: in evaluation mode (no dropout, no graph), every token after
 * {@code <bos>} predicted from its own record's prefix. Records are scored in padded batches; the causal and
 * padding masks make each record's numbers the same as scoring it alone (a test checks it).
 */
public final class Scoring {

    private Scoring() {}

    /** The protocol's one-record view of the model. */
    public static Protocol.Scorer scorer(MiniGPT model, int padId) {
        return seq -> logProbs(model, List.of(seq), padId, 1).get(0);
    }

    /** log p(seq[i] | seq[0..i-1]) for i = 1..n-1 of every sequence, batch by batch. */
    public static List<double[]> logProbs(MiniGPT model, List<int[]> seqs, int padId, int batchSize) {
        return logProbs(model, seqs, padId, batchSize, null);
    }

    /**
     * With {@code dropout} null the model runs in evaluation mode, as the protocol requires. A generator
     * runs it in training mode instead: the "evaluation without eval mode" experiment, noisy and pessimistic.
     */
    public static List<double[]> logProbs(MiniGPT model, List<int[]> seqs, int padId, int batchSize,
                                          minitrain.Rng dropout) {
        List<double[]> out = new ArrayList<>(seqs.size());
        for (int from = 0; from < seqs.size(); from += batchSize) {
            List<int[]> chunk = seqs.subList(from, Math.min(seqs.size(), from + batchSize));
            Protocol.Padded p = Protocol.pad(chunk, padId);
            int[][] idx = p.inputs(), tgt = p.targets();
            boolean[][] real = p.real();
            double[][] lp;
            // The batch's arrays in one reused block (StepMemory); only the log-probabilities, copied to the
            // heap, leave it.
            try (StepMemory memory = StepMemory.open()) {
                Tensor logits;
                if (dropout == null) {
                    logits = model.evaluate(idx, real);
                } else {
                    try (var off = minitrain.autograd.Grad.off()) {
                        logits = model.forward(idx, real, true, dropout);
                    }
                }
                lp = CrossEntropy.logProbs(logits, tgt);
            }
            for (int b = 0; b < chunk.size(); b++) {
                double[] row = new double[chunk.get(b).length - 1];
                System.arraycopy(lp[b], 0, row, 0, row.length);
                out.add(row);
            }
        }
        return out;
    }

    /** The protocol's score of a split, computed in batches. */
    public static Protocol.Score score(MiniGPT model, List<Record> records, Vocab vocab, int batchSize) {
        return score(model, records, vocab, batchSize, null);
    }

    public static Protocol.Score score(MiniGPT model, List<Record> records, Vocab vocab, int batchSize,
                                       minitrain.Rng dropout) {
        List<int[]> seqs = new ArrayList<>();
        for (Record r : records) seqs.add(Protocol.sequence(r, vocab));
        double nll = 0;
        long n = 0;
        for (double[] row : logProbs(model, seqs, vocab.padId, batchSize, dropout)) {
            for (double lp : row) {
                nll -= lp;
                n++;
            }
        }
        return new Protocol.Score(nll, n);
    }
}
