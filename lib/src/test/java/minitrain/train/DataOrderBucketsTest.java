package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import minitrain.corpus.Corpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Length bucketing (bucket_batches): less padding, every record once per epoch, and exact resume. */
class DataOrderBucketsTest {

    static Corpus corpus;

    @BeforeAll
    static void load() {
        corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
    }

    static double padFraction(TrainConfig c, int steps) {
        TrainingRun run = TrainingRun.start(c, corpus, null);
        List<Batch> all = new ArrayList<>();
        for (int s = 0; s < steps; s++) all.addAll(run.nextMicroBatches());
        return Batch.padFraction(all);
    }

    static double realTokens(TrainConfig c, int steps) {
        TrainingRun run = TrainingRun.start(c, corpus, null);
        long tokens = 0;
        for (int s = 0; s < steps; s++) tokens += Batch.tokens(run.nextMicroBatches());
        return tokens;
    }

    @Test
    void bucketedBatchesPadFarLess() {
        TrainConfig plain = TrainConfig.defaults(), bucketed = plain.with("bucket_batches", 16);
        // 1500 steps of 32 records: more than three epochs, so the batches after an epoch boundary count too.
        double before = padFraction(plain, 1500), after = padFraction(bucketed, 1500);
        assertTrue(before > 0.25, "random batches of this corpus pad about 30%: " + before);
        assertTrue(after < 0.05, "sorted within pools of 16 batches: " + after);
        // And a step still holds about as many real tokens: the same number of steps sees the same data.
        assertEquals(realTokens(plain, 1500), realTokens(bucketed, 1500), 0.03 * realTokens(plain, 1500));
    }

    static int[] lengths(int n) {
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) lengths[i] = 5 + (i * 7919) % 40;   // 5..44, spread over the records
        return lengths;
    }

    @Test
    void everyRecordOncePerEpochInEveryEpoch() {
        int n = 1000;
        DataOrder d = new DataOrder(n, 5, new DataOrder.Buckets(lengths(n), 32, 4));
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] seen = new int[n];
            int taken = 0;
            while (taken < n) {
                for (int i : d.nextBatch(32)) seen[i]++;
                taken = Arrays.stream(seen).sum();
            }
            assertEquals(n, taken, "epoch " + epoch + ": a batch crossed into the next epoch");
            for (int i = 0; i < n; i++) assertEquals(1, seen[i], "epoch " + epoch + ", record " + i);
            assertEquals(epoch, d.epoch());
        }
    }

    @Test
    void aBatchHoldsRecordsOfNearlyOneLengthAndAboutTheUsualTokens() {
        int n = 1000;
        int[] lengths = lengths(n);
        DataOrder.Buckets buckets = new DataOrder.Buckets(lengths, 32, 8);
        DataOrder d = new DataOrder(n, 9, buckets), random = new DataOrder(n, 9);
        long positions = buckets.tokens();   // real tokens of 32 records of mean length 24.5: 784
        assertEquals(784, positions);
        long[] bucketed = new long[2], plain = new long[2];   // real tokens, padded positions
        for (int s = 0; s < 4 * n / 32; s++) {
            int[] batch = d.nextBatch(32);
            int tokens = Arrays.stream(batch).map(i -> lengths[i]).sum();
            int longest = Arrays.stream(batch).map(i -> lengths[i]).max().orElseThrow();
            // About an ordinary batch's tokens; a pool's short remainder may make its last batch half as big again.
            assertTrue(tokens <= positions * 3 / 2 + longest, "too many tokens: " + tokens);
            bucketed[0] += tokens;
            bucketed[1] += (long) batch.length * longest;
            int[] other = random.next(32);
            plain[0] += Arrays.stream(other).map(i -> lengths[i]).sum();
            plain[1] += 32L * Arrays.stream(other).map(i -> lengths[i]).max().orElseThrow();
        }
        double bucketedPad = 1 - (double) bucketed[0] / bucketed[1], plainPad = 1 - (double) plain[0] / plain[1];
        assertTrue(plainPad > 0.4 && bucketedPad < 0.15, "padding: random " + plainPad + ", bucketed " + bucketedPad);
        assertEquals(plain[0], bucketed[0], 0.05 * plain[0], "real tokens over the same number of steps");
    }

    @Test
    void restoresExactlyMidEpoch() {
        int n = 1000;
        DataOrder.Buckets buckets = new DataOrder.Buckets(lengths(n), 32, 4);
        DataOrder a = new DataOrder(n, 77, buckets);
        while (a.epoch() == 0 || a.position() < 300) a.nextBatch(32);   // into epoch 1
        DataOrder again = new DataOrder(n, a.epoch(), a.position(), a.epochStartState(), buckets);
        for (int s = 0; s < 80; s++) assertArrayEquals(a.nextBatch(32), again.nextBatch(32), "batch " + s + " resumed");
    }

    @Test
    void aBucketedRunResumesToTheSameBytes(@TempDir Path tmp) throws Exception {
        TrainConfig c = TrainConfig.fromJson("{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"dropout\":0.1,"
                + "\"batch_size\":8,\"max_steps\":8,\"warmup_steps\":2,\"eval_every\":100000,\"ckpt_every\":4,"
                + "\"seed\":21,\"bucket_batches\":4}", "test");
        Path a = tmp.resolve("a");
        TrainingLoop.run(TrainingRun.start(c, Switches.ALL_ON, corpus, a), TrainingLoop.Listener.NONE);
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.copy(Checkpoint.fileFor(a, 4), Checkpoint.fileFor(b, 4));
        TrainingLoop.run(Checkpoint.load(Checkpoint.fileFor(b, 4), corpus), TrainingLoop.Listener.NONE);
        assertArrayEquals(Files.readAllBytes(Checkpoint.fileFor(a, 8)), Files.readAllBytes(Checkpoint.fileFor(b, 8)));
    }

    @Test
    void offLeavesTheOrderAsItWas() {
        DataOrder plain = new DataOrder(500, 3), none = new DataOrder(500, 3, null);
        for (int s = 0; s < 40; s++) assertArrayEquals(plain.next(32), none.nextBatch(32));
    }

    @Test
    void aNegativePoolIsRefusedWithTheKey() {
        var e = assertThrows(minitrain.KitError.class, () -> TrainConfig.defaults().with("bucket_batches", -1));
        assertTrue(e.getMessage().contains("bucket_batches"), e.getMessage());
    }
}
