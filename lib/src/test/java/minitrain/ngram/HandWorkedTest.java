package minitrain.ngram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import minitrain.corpus.Vocab;
import org.junit.jupiter.api.Test;

/** Kneser-Ney on corpora small enough to work out with pencil and paper; the arithmetic is in the comments. */
class HandWorkedTest {

    @Test
    void aDamagedBaselineFileIsOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path f = tmp.resolve("baseline.json");
        java.nio.file.Files.writeString(f, "{\"order\":3,\"dev_ppl\":2.0,\"val_ppl\":2.1,\"corpus_sha256\":\"ab\","
                + "\"orders\":[{\"order\":3}]}");
        minitrain.KitError e = org.junit.jupiter.api.Assertions.assertThrows(minitrain.KitError.class,
                () -> Baseline.read(f));
        assertEquals(f + ": an entry of \"orders\" lacks \"dev_ppl\"", e.getMessage());
    }

    @Test
    void discountsFromCountsOfCounts() {
        // n1=10, n2=5, n3=3, n4=2: Y = 10 / (10 + 2*5) = 0.5
        // D1 = 1 - 2*0.5*5/10 = 0.5;  D2 = 2 - 3*0.5*3/5 = 1.1;  D3+ = 3 - 4*0.5*2/3 = 1.6667
        assertArrayEquals(new double[] {0.5, 1.1, 3 - 4 / 3.0}, CountTable.discounts(10, 5, 3, 2), 1e-12);
        // No count seen twice: D2 falls back to D1; none seen three times: D3 falls back to D2.
        // n1=4, n2=0: Y = 1, D1 = 1 - 0 = 1 (clamped to at most 1).
        assertArrayEquals(new double[] {1, 1, 1}, CountTable.discounts(4, 0, 0, 0), 1e-12);
    }

    /**
     * Vocabulary: pad 0, bos 1, eos 2, a 3, b 4 (predictable: eos, a, b, so uniform = 1/3).
     * Records "ab", "aa", "b": [1 3 4 2], [1 3 3 2], [1 4 2]. Bigram model (order 2).
     */
    @Test
    void bigramProbabilitiesByHand() {
        Vocab v = new Vocab(List.of("<pad>", "<bos>", "<eos>", "a", "b"));
        List<int[]> seqs = List.of(new int[] {1, 3, 4, 2}, new int[] {1, 3, 3, 2}, new int[] {1, 4, 2});
        KneserNey m = KneserNey.train(seqs, 2, v);
        // Raw bigram counts: (bos a)=2 (bos b)=1 (a b)=1 (a a)=1 (a eos)=1 (b eos)=2.
        // Counts of counts: n1=4, n2=2, n3=0, n4=0 -> Y = 4/(4+4) = 0.5, D1 = 1 - 2*0.5*2/4 = 0.5,
        // D2 = 2 - 3*0.5*0/2 = 2, D3+ = D2 = 2 (no count of 3).
        assertArrayEquals(new double[] {0.5, 2, 2}, m.discounts(2), 1e-12);
        // Unigram continuation counts (distinct left neighbours): a {bos, a} = 2, b {bos, a} = 2,
        // eos {a, b} = 2; total 6. n2 = 3, n1 = 0 -> Y = 0, D1 = 0.5 (fallback), D2 = 2 - 0 = 2.
        // P1(w) = (max(2 - 2, 0) + (D2 * 3) * 1/3) / 6 = (0 + 2) / 6 = 1/3 for each w.
        assertArrayEquals(new double[] {0.5, 2, 2}, m.discounts(1), 1e-12);
        KneserNey uni = m.withOrder(1);
        // As a top-order model, order 1 uses raw unigram counts: a=3, b=2, eos=3, total 8; n1=0, n2=1, n3=2
        // -> Y = 0, D1 = 0.5, D2 = 2 - 0 = 2, D3+ = 3 - 4*0*0/2 = 3.
        // P(a) = (max(3-3,0) + (2*1 + 3*2) * 1/3) / 8 = (8/3) / 8 = 1/3; all three are 1/3.
        assertEquals(1 / 3.0, uni.prob(new int[] {1}, 1, 3), 1e-12);
        // Bigram, context bos: total 3, n1 = 1 (b), n2 = 1 (a) -> backoff mass = 0.5*1 + 2*1 = 2.5.
        // P(a|bos) = (max(2-2,0) + 2.5 * 1/3) / 3 = 0.27778
        // P(b|bos) = (max(1-0.5,0) + 2.5 * 1/3) / 3 = 0.44444
        // P(eos|bos) = (0 + 2.5 * 1/3) / 3 = 0.27778        (sum 1)
        int[] bos = {1};
        assertEquals(2.5 / 9, m.prob(bos, 1, 3), 1e-12);
        assertEquals((0.5 + 2.5 / 3) / 3, m.prob(bos, 1, 4), 1e-12);
        assertEquals(2.5 / 9, m.prob(bos, 1, 2), 1e-12);
        // Context a: a a=1, a b=1, a eos=1, total 3, n1 = 3 -> backoff 0.5*3 = 1.5.
        // P(b|a) = (0.5 + 1.5/3) / 3 = 1/3.
        assertEquals(1 / 3.0, m.prob(new int[] {1, 3}, 2, 4), 1e-12);
        // Context b: b eos = 2 only, total 2, n2 = 1 -> backoff 2*1 = 2.
        // P(eos|b) = (max(2-2,0) + 2/3) / 2 = 1/3;  P(a|b) = (0 + 2/3) / 2 = 1/3.
        assertEquals(1 / 3.0, m.prob(new int[] {1, 4}, 2, 2), 1e-12);
        assertEquals(1 / 3.0, m.prob(new int[] {1, 4}, 2, 3), 1e-12);
    }

    @Test
    void trigramUsesContinuationCountsBelowTheTop() {
        Vocab v = new Vocab(List.of("<pad>", "<bos>", "<eos>", "a", "b"));
        // Records "ab" twice and "b": with order 3 the records are padded to [1 1 3 4 2] and [1 1 4 2].
        List<int[]> seqs = List.of(new int[] {1, 3, 4, 2}, new int[] {1, 3, 4, 2}, new int[] {1, 4, 2});
        KneserNey m = KneserNey.train(seqs, 3, v);
        // Bigram continuation counts (distinct left neighbours of each bigram among the trigrams):
        // trigrams: (bos bos a)x2 (bos a b)x2 (a b eos)x2 (bos bos b)x1 (bos b eos)x1
        // -> (bos a):{bos}=1 (a b):{bos}=1 (b eos):{a, bos}=2 (bos b):{bos}=1.
        // Context b at order 2: only eos follows, continuation count 2, total 2, n2 = 1.
        // Order-2 continuation counts of counts: n1 = 3, n2 = 1 -> Y = 3/5, D1 = 1 - 2*0.6*1/3 = 0.6,
        // D2 = 2 - 3*0.6*0/1 = 2, D3 = D2 = 2.
        assertArrayEquals(new double[] {0.6, 2, 2}, m.discounts(2), 1e-12);
    }
}
