package minitrain.ngram;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitrain.Rng;
import minitrain.corpus.Corpus;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Split;
import minitrain.corpus.Vocab;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KneserNeyTest {

    static Corpus corpus;
    static KneserNey model;

    @BeforeAll
    static void train() {
        corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
        List<int[]> seqs = new ArrayList<>();
        for (Record r : corpus.records(Split.TRAIN)) seqs.add(Protocol.sequence(r, corpus.vocab()));
        model = KneserNey.train(seqs, 10, corpus.vocab());
    }

    /** Every predictable token: all ids but <pad> and <bos>. */
    static List<Integer> predictable(Vocab v) {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) if (id != v.padId && id != v.bosId) ids.add(id);
        return ids;
    }

    @Test
    void probabilitiesSumToOneForRandomContextsOfEveryOrder() {
        Rng rng = new Rng(1);
        List<Record> dev = corpus.records(Split.DEV);
        for (int n = 1; n <= 10; n++) {
            KneserNey m = model.withOrder(n);
            for (int trial = 0; trial < 40; trial++) {
                int[] history;
                if (trial % 2 == 0) { // a real prefix from dev
                    int[] seq = Protocol.sequence(dev.get(rng.nextInt(dev.size())), corpus.vocab());
                    history = java.util.Arrays.copyOf(seq, 1 + rng.nextInt(seq.length - 1));
                } else { // random tokens, mostly unseen contexts
                    history = new int[1 + rng.nextInt(12)];
                    history[0] = corpus.vocab().bosId;
                    for (int i = 1; i < history.length; i++) history[i] = 3 + rng.nextInt(corpus.vocab().size() - 3);
                }
                double sum = 0;
                for (int w : predictable(corpus.vocab())) {
                    double p = m.prob(history, history.length, w);
                    assertTrue(p > 0 && Double.isFinite(p), "order " + n + " token " + w + " p=" + p);
                    sum += p;
                }
                assertEquals(1.0, sum, 1e-12, "order " + n);
            }
        }
    }

    @Test
    void unseenContextsAndCharactersNeverGiveZeroOrNaN() {
        Vocab v = corpus.vocab();
        int[] weird = new int[12];
        weird[0] = v.bosId;
        for (int i = 1; i < weird.length; i++) weird[i] = v.size() - 1; // a run of the rarest character
        for (int n = 1; n <= 10; n++) {
            for (int w : predictable(v)) {
                double p = model.withOrder(n).prob(weird, weird.length, w);
                assertTrue(p > 0 && !Double.isNaN(p), "order " + n + " w " + w);
            }
        }
        // A context seen in training, followed by a character never seen after it.
        int[] seen = {v.bosId, v.encode("I")[0], v.encode(" ")[0]};
        double p = model.withOrder(3).prob(seen, seen.length, v.eosId);
        assertTrue(p > 0 && p < 1e-2, "p(<eos> | <bos> 'I ') = " + p);
    }

    @Test
    void reportedPerplexityEqualsDirectRecomputation() {
        KneserNey m = model.withOrder(7);
        List<Record> val = corpus.records(Split.VAL);
        double nll = 0;
        long n = 0;
        for (Record r : val) {
            int[] seq = Protocol.sequence(r, corpus.vocab());
            for (int i = 1; i < seq.length; i++) {
                nll -= Math.log(m.prob(seq, i, seq[i]));
                n++;
            }
        }
        Protocol.Score s = Protocol.score(val, corpus.vocab(), m);
        assertEquals(n, s.tokens());
        assertEquals(Math.exp(nll / n), s.perplexity(), 1e-12);
    }

    @Test
    void higherOrdersBeatUnigramsOnVal() {
        double p1 = Protocol.score(corpus.records(Split.VAL), corpus.vocab(), model.withOrder(1)).perplexity();
        double p6 = Protocol.score(corpus.records(Split.VAL), corpus.vocab(), model.withOrder(6)).perplexity();
        assertTrue(p6 < p1 / 5, "order 6 " + p6 + " vs order 1 " + p1);
    }
}
