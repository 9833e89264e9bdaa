package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import minitrain.KitError;
import minitrain.Rng;
import minitrain.autograd.CrossEntropy;
import minitrain.corpus.Corpus;
import minitrain.model.MiniGPT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the loop promises to its callers: how many steps, which ones evaluate dev, what the logged loss
 * means, which checkpoints exist, what a NaN reports. (These also kill the mutants PIT found alive.)
 */
class LoopContractTest {

    static Corpus corpus;

    @BeforeAll
    static void load() {
        corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
    }

    static TrainConfig config(int steps, int evalEvery, int ckptEvery) {
        return TrainConfig.fromJson("{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"dropout\":0.0,\"batch_size\":8,"
                + "\"max_steps\":" + steps + ",\"warmup_steps\":" + Math.min(1, steps - 1)
                + ",\"eval_every\":" + evalEvery + ",\"ckpt_every\":" + ckptEvery + ",\"seed\":4}", "test");
    }

    record Row(int step, Double dev, double loss, double tokensPerS) {}

    static List<Row> run(TrainingRun r) {
        List<Row> rows = new ArrayList<>();
        TrainingLoop.run(r, (s, lr, loss, dev, g, tps) -> rows.add(new Row(s, dev, loss, tps)));
        return rows;
    }

    @Test
    void stepsDevScheduleMetricsAndCheckpoints(@TempDir Path tmp) throws Exception {
        TrainingRun r = TrainingRun.start(config(6, 2, 4), Switches.ALL_ON, corpus, tmp);
        List<Row> rows = run(r);
        assertEquals(6, r.step(), "exactly max_steps steps");
        assertEquals(List.of(0, 1, 2, 3, 4, 5), rows.stream().map(Row::step).toList());
        for (Row row : rows) assertEquals(row.step % 2 == 0, row.dev != null, "dev at step " + row.step);
        List<String> csv = Files.readAllLines(tmp.resolve("metrics.csv"));
        assertEquals(7, csv.size(), "header + one row per step");
        for (int i = 1; i < csv.size(); i++) {
            assertTrue(csv.get(i).startsWith((i - 1) + ","), "row " + i + ": " + csv.get(i));
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("ckpt-000004.safetensors", "ckpt-000006.safetensors"),
                    files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors"))
                            .sorted().toList());
        }
        for (Row row : rows) assertTrue(row.tokensPerS > 100 && row.tokensPerS < 1e8, "tokens/s " + row.tokensPerS);
        assertTrue(r.seconds() > 0 && r.seconds() < 120, "seconds " + r.seconds());
    }

    @Test
    void theLoggedLossIsTheMeanNllOverRealTargets() {
        TrainConfig c = config(1, 1000, 1000);
        TrainingRun r = TrainingRun.start(c, Switches.ALL_ON, corpus, null);
        // The same first batch and the same initial weights, computed outside the loop.
        TrainingRun twin = TrainingRun.start(c, Switches.ALL_ON, corpus, null);
        Batch b = twin.nextMicroBatches().get(0);
        MiniGPT m = twin.model();
        double expected = CrossEntropy.apply(m.forward(b.idx(), b.real(), true, new Rng(0)),
                b.targets(), b.counted(), b.tokens()).item();
        double unmasked = CrossEntropy.apply(m.forward(b.idx(), b.real(), true, new Rng(0)),
                b.targets(), b.everyTarget(), b.allTargets()).item();
        assertEquals(expected, run(r).get(0).loss, 1e-12);
        TrainingRun noMask = TrainingRun.start(c, Switches.ALL_ON.withoutLossMask(), corpus, null);
        assertEquals(unmasked, run(noMask).get(0).loss, 1e-12);
    }

    @Test
    void aNaNNamesTheLossAndTheTensor() {
        TrainConfig absurd = TrainConfig.fromJson("{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"batch_size\":8,"
                + "\"max_steps\":50,\"warmup_steps\":1,\"lr\":1e300,\"grad_clip\":0,\"eval_every\":100000,"
                + "\"ckpt_every\":100000}", "test");
        KitError e = assertThrows(KitError.class, () -> run(TrainingRun.start(absurd, Switches.ALL_ON, corpus, null)));
        assertTrue(e.getMessage().contains("loss is ")
                && e.getMessage().contains("first non-finite gradient in transformer."), e.getMessage());
        assertTrue(e.getMessage().endsWith("the last good checkpoint is kept and nothing was published"));
    }

    @Test
    void batchHelpers() {
        Batch b = Batch.of(List.of(new int[] {1, 5, 2}, new int[] {1, 2}), 0, 2);
        for (boolean[] row : b.everyTarget()) for (boolean x : row) assertTrue(x);
        assertEquals(4, b.allTargets());
        KitError e = assertThrows(KitError.class, () -> Batch.of(List.of(new int[] {1, 5, 6, 2}), 0, 2));
        assertEquals("a record of 4 tokens does not fit block_size 2 (inputs are one token shorter than the record)",
                e.getMessage());
    }

    @Test
    void scheduleWithNoRoomToDecayStaysAtThePeak() {
        assertEquals(1e-3, new LrSchedule(1e-3, 1e-4, 9, 10).lr(9), 0.0);
    }

    @Test
    void clippingExactlyAtTheLimitChangesNothing() {
        var p = java.util.Map.of("a", ScheduleAndAdamWTest.gradOf(3, 4));
        assertEquals(5.0, GradClip.clip(p, 5.0), 0.0);
        assertArrayEquals(new double[] {3, 4}, minitrain.autograd.Nd.values(p.get("a").grad()), 0.0);
    }

    @Test
    void epochCountsUp() {
        DataOrder d = new DataOrder(10, 3);
        d.next(7);
        assertEquals(0, d.epoch());
        d.next(7);
        assertEquals(1, d.epoch());
        assertEquals(4, d.position());
    }
}
