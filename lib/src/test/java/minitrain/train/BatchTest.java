package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitrain.Rng;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.Nd;
import minitrain.autograd.Tensor;
import minitrain.corpus.Corpus;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Split;
import minitrain.model.GPTConfig;
import minitrain.model.MiniGPT;
import minitrain.model.Scoring;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BatchTest {

    static Corpus corpus;
    static List<int[]> seqs;

    @BeforeAll
    static void load() {
        corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
        seqs = new ArrayList<>();
        List<Record> dev = corpus.records(Split.DEV);
        for (int i = 0; i < 6; i++) seqs.add(Protocol.sequence(dev.get(i * 37), corpus.vocab()));
    }

    @Test
    void shiftByOneAndMasks() {
        int[] a = {1, 10, 11, 2}, b = {1, 12, 2};
        Batch batch = Batch.of(List.of(a, b), 0, 8);
        assertArrayEquals(new int[] {1, 10, 11}, batch.idx()[0]);
        assertArrayEquals(new int[] {10, 11, 2}, batch.targets()[0]);
        assertArrayEquals(new int[] {1, 12, 0}, batch.idx()[1]);     // right-padded with <pad>
        assertArrayEquals(new int[] {12, 2, 0}, batch.targets()[1]);
        assertArrayEquals(new boolean[] {true, true, false}, batch.counted()[1]);
        assertEquals(5, batch.tokens());
        boolean[][][] m = batch.attentionMask();
        assertTrue(m[1][1][0] && m[1][1][1]);
        assertFalse(m[1][0][1], "causal: no future key");
        assertFalse(m[1][2][2], "no padding key, not even for the pad query itself");
        assertThrows(minitrain.KitError.class, () -> Batch.of(List.of(a), 0, 2));
    }

    static MiniGPT model() {
        return new MiniGPT(new GPTConfig(2, 2, 16, 64, corpus.vocab().size(), 0.0), new Rng(8));
    }

    /** Loss and every gradient of the same records, padded to different lengths. */
    @Test
    void paddingDoesNotChangeLossOrGradients() {
        MiniGPT m = model();
        List<int[]> shortOnes = List.of(seqs.get(0), seqs.get(1));
        int[] longer = new int[60];
        longer[0] = 1;
        for (int i = 1; i < 59; i++) longer[i] = 5;
        longer[59] = 2;
        // Batch A: the two records alone. Batch B: the same two with a long third record forcing more padding,
        // and the third record's rows ignored by giving it a zero weight through the counted mask.
        Batch a = Batch.of(shortOnes, 0, 64);
        Batch b = Batch.of(List.of(shortOnes.get(0), shortOnes.get(1), longer), 0, 64);
        boolean[][] countedB = b.counted().clone();
        countedB[2] = new boolean[countedB[2].length];
        double la = lossAndGrad(m, a.idx(), a.real(), a.targets(), a.counted(), a.tokens());
        double[][] ga = grads(m);
        double lb = lossAndGrad(m, trim(b.idx(), 2), trim(b.real(), 2), trim(b.targets(), 2), trim(countedB, 2),
                a.tokens());
        double[][] gb = grads(m);
        assertNotEquals(a.idx()[0].length, b.idx()[0].length);
        assertEquals(la, lb, 1e-12);
        for (int i = 0; i < ga.length; i++) {
            for (int k = 0; k < ga[i].length; k++) assertEquals(ga[i][k], gb[i][k], 1e-12);
        }
    }

    static int[][] trim(int[][] x, int rows) {
        return java.util.Arrays.copyOf(x, rows);
    }

    static boolean[][] trim(boolean[][] x, int rows) {
        return java.util.Arrays.copyOf(x, rows);
    }

    static double lossAndGrad(MiniGPT m, int[][] idx, boolean[][] real, int[][] tgt, boolean[][] counted, int n) {
        m.zeroGrad();
        Tensor loss = CrossEntropy.apply(m.forward(idx, real, true, new Rng(1)), tgt, counted, n);
        loss.backward();
        return loss.item();
    }

    static double[][] grads(MiniGPT m) {
        List<double[]> g = new ArrayList<>();
        for (Tensor p : m.parameters().values()) g.add(Nd.values(p.grad()));
        return g.toArray(new double[0][]);
    }

    @Test
    void batchLossEqualsTheProtocolsPerTokenNll() {
        MiniGPT m = model();
        Batch b = Batch.of(seqs, 0, 64);
        double loss;
        try (var off = minitrain.autograd.Grad.off()) {
            Tensor logits = m.forward(b.idx(), b.real(), false, null);
            loss = CrossEntropy.apply(logits, b.targets(), b.counted(), b.tokens()).item();
        }
        double nll = 0;
        long n = 0;
        for (double[] row : Scoring.logProbs(m, seqs, 0, 1)) for (double lp : row) { nll -= lp; n++; }
        assertEquals(n, b.tokens());
        assertEquals(nll / n, loss, 1e-12);
    }

    /** Batch 1 accumulated k times gives the same gradient as one batch of k, on records of different lengths. */
    @Test
    void accumulationMatchesOneBigBatch() {
        MiniGPT m = model();
        List<int[]> four = seqs.subList(0, 4);
        Batch big = Batch.of(four, 0, 64);
        lossAndGrad(m, big.idx(), big.real(), big.targets(), big.counted(), big.tokens());
        double[][] gBig = grads(m);
        List<Batch> micro = new ArrayList<>();
        for (int[] s : four) micro.add(Batch.of(List.of(s), 0, 64));
        int tokens = Batch.tokens(micro);
        m.zeroGrad();
        for (Batch mb : micro) {
            Tensor logits = m.forward(mb.idx(), mb.real(), true, new Rng(1));
            CrossEntropy.apply(logits, mb.targets(), mb.counted(), tokens).backward();
        }
        double[][] gAcc = grads(m);
        for (int i = 0; i < gBig.length; i++) {
            for (int k = 0; k < gBig[i].length; k++) assertEquals(gBig[i][k], gAcc[i][k], 1e-12);
        }
    }

    @Test
    void dataOrderRestoresExactly() {
        DataOrder a = new DataOrder(10, 77);
        a.next(7);
        a.next(7); // crosses into epoch 1
        DataOrder b = new DataOrder(10, a.epoch(), a.position(), a.epochStartState(), null);
        for (int i = 0; i < 5; i++) assertArrayEquals(a.next(6), b.next(6));
        DataOrder c = new DataOrder(10, 77);
        int[] epoch0 = c.next(10);
        int[] sorted = epoch0.clone();
        java.util.Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted, "an epoch is a permutation");
        assertFalse(java.util.Arrays.equals(epoch0, c.next(10)), "each epoch is shuffled anew");
    }
}
