package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitrain.KitError;
import minitrain.autograd.Nd;
import minitrain.corpus.Corpus;
import minitrain.corpus.Split;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each line of the loop, switched off, and what breaks without it. */
class TrainingLoopTest {

    static Corpus corpus;

    @BeforeAll
    static void load() {
        corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
    }

    static TrainConfig tiny(int steps, double lr, int warmup, double clip, double dropout) {
        String json = String.format(java.util.Locale.ROOT,
                "{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"block_size\":64,"
                + "\"dropout\":%s,\"batch_size\":8,\"max_steps\":%d,\"warmup_steps\":%d,\"lr\":%s,\"min_lr\":0.0,"
                + "\"grad_clip\":%s,\"eval_every\":100000,\"ckpt_every\":100000,\"seed\":5}",
                dropout, steps, warmup, lr, clip);
        return TrainConfig.fromJson(json, "test");
    }

    record Trace(List<Double> loss, List<Double> norm, List<Double> lr, TrainingRun run, List<double[]> weightsAfter) {}

    static Trace train(TrainConfig c, Switches s) {
        TrainingRun r = TrainingRun.start(c, s, corpus, null);
        List<Double> loss = new ArrayList<>(), norm = new ArrayList<>(), lr = new ArrayList<>();
        List<double[]> after = new ArrayList<>();
        TrainingLoop.run(r, (step, l, trainLoss, dev, g, tps) -> {
            loss.add(trainLoss);
            norm.add(g);
            lr.add(l);
            after.add(weights(r));
        });
        return new Trace(loss, norm, lr, r, after);
    }

    static double[] weights(TrainingRun r) {
        return Nd.values(r.model().parameters().get("transformer.h.0.mlp.c_fc.weight").data);
    }

    @Test
    void withoutZeroingGradientsEveryStepReappliesTheOldOnes() {
        Trace on = train(tiny(6, 1e-3, 1, 0, 0), Switches.ALL_ON);
        Trace off = train(tiny(6, 1e-3, 1, 0, 0), Switches.ALL_ON.withoutZeroGrad());
        assertEquals(on.norm.get(0), off.norm.get(0), 1e-12, "the first step is the same");
        // From then on the gradient is the running sum of all earlier ones: its norm keeps growing.
        assertTrue(off.norm.get(5) > 3 * on.norm.get(5), "accumulated " + off.norm + " vs " + on.norm);
    }

    @Test
    void withoutTheLossMaskPaddingIsPartOfTheLoss() {
        Trace on = train(tiny(1, 1e-3, 0, 0, 0), Switches.ALL_ON);
        Trace off = train(tiny(1, 1e-3, 0, 0, 0), Switches.ALL_ON.withoutLossMask());
        // Same weights, same batch: only the denominator and the pad targets differ.
        assertNotEquals(on.loss.get(0), off.loss.get(0), 1e-6);
    }

    @Test
    void withoutWarmupTheFirstStepTakesThePeakRate() {
        double[] w0 = weights(TrainingRun.start(tiny(4, 0.05, 3, 0, 0), Switches.ALL_ON, corpus, null));
        Trace on = train(tiny(4, 0.05, 3, 0, 0), Switches.ALL_ON);
        Trace off = train(tiny(4, 0.05, 3, 0, 0), Switches.ALL_ON.withoutWarmup());
        assertEquals(0.05 / 3, on.lr.get(0), 1e-15);
        assertEquals(0.05, off.lr.get(0), 1e-15);
        // Adam's first step moves every weight by about lr (m / sqrt(v) = +-1): three times further without
        // warmup, while the moments have seen a single gradient.
        double ratio = distance(w0, off.weightsAfter.get(0)) / distance(w0, on.weightsAfter.get(0));
        assertEquals(3.0, ratio, 0.05);
    }

    @Test
    void withoutClippingTheFullGradientReachesTheOptimizer() {
        Trace clipped = train(tiny(2, 1e-2, 1, 1e-3, 0), Switches.ALL_ON);
        Trace free = train(tiny(2, 1e-2, 1, 0, 0), Switches.ALL_ON); // grad_clip 0: no clipping
        assertEquals(clipped.norm.get(0), free.norm.get(0), 1e-12, "same raw gradient at step 0");
        assertTrue(free.norm.get(0) > 1e-3);
        // After the loop the last step's gradients are still in .grad: clipped to the limit, or not.
        assertTrue(GradClip.norm(clipped.run.parameters()) <= 1e-3 * (1 + 1e-9));
        assertTrue(GradClip.norm(free.run.parameters()) > 1e-2);
    }

    @Test
    void withoutEvalModeTheDevLossIsNoisy() {
        TrainingRun r = TrainingRun.start(tiny(1, 1e-3, 0, 0, 0.3), Switches.ALL_ON, corpus, null);
        double a = r.loss(Split.DEV), b = r.loss(Split.DEV);
        assertEquals(a, b, 0.0, "evaluation mode is deterministic");
        TrainingRun noisy = TrainingRun.start(tiny(1, 1e-3, 0, 0, 0.3), Switches.ALL_ON.withoutEvalMode(), corpus,
                null);
        double c = noisy.loss(Split.DEV);
        noisy.finishStep(0, 0, null, 0, 0, 0); // the next step's evaluation draws other dropout masks
        double d = noisy.loss(Split.DEV);
        assertNotEquals(c, d, "dropout makes two evaluations of the same weights disagree");
        assertNotEquals(a, c, "and neither is the model's real dev loss");
    }

    @Test
    void aNaNStopsTheRunAtThatStepNamingTheTensor() {
        TrainConfig absurd = tiny(50, 1e12, 1, 0, 0);
        KitError e = assertThrows(KitError.class, () -> train(absurd, Switches.ALL_ON));
        assertTrue(e.getMessage().matches("step \\d+: .*(non-finite gradient in transformer\\.|loss is ).*"),
                e.getMessage());
    }

    @Test
    void resumingWithoutRestoringTheRngDrifts(@TempDir Path tmp) {
        TrainConfig c = TrainConfig.fromJson("{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"dropout\":0.2,"
                + "\"batch_size\":8,\"max_steps\":6,\"warmup_steps\":1,\"eval_every\":100000,\"ckpt_every\":3,"
                + "\"seed\":9}", "test");
        TrainingRun straight = TrainingRun.start(c, Switches.ALL_ON, corpus, tmp.resolve("a"));
        TrainingLoop.run(straight, TrainingLoop.Listener.NONE);
        Path half = Checkpoint.fileFor(tmp.resolve("a"), 3);
        TrainingRun exact = Checkpoint.load(half, corpus);
        TrainingLoop.run(exact, TrainingLoop.Listener.NONE);
        assertArrayEquals(weights(straight), weights(exact), 0.0, "restored RNG: identical to the bit");
        TrainingRun drifted = Checkpoint.load(half, corpus, Switches.ALL_ON,
                java.util.EnumSet.complementOf(java.util.EnumSet.of(Checkpoint.Part.DROPOUT_RNG)));
        TrainingLoop.run(drifted, TrainingLoop.Listener.NONE);
        assertFalse(java.util.Arrays.equals(weights(straight), weights(drifted)),
                "a fresh RNG changes the dropout masks");
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s);
    }

    /** Runs {@code body} on a thread of its own: a fresh pass memory block, whatever earlier tests left. */
    static <T> T onFreshThread(java.util.function.Supplier<T> body) throws Exception {
        java.util.concurrent.atomic.AtomicReference<T> out = new java.util.concurrent.atomic.AtomicReference<>();
        var thrown = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread t = new Thread(() -> {
            try {
                out.set(body.get());
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        t.join();
        if (thrown.get() != null) throw new AssertionError(thrown.get());
        return out.get();
    }

    @Test
    void theLoopSizesThePassMemoryOnceForTheLongestBatch() throws Exception {
        // The loop's first line: the block is sized before the first step and never grows again.
        long[] sizes = onFreshThread(() -> {
            long[] seen = new long[2];
            TrainingRun r = TrainingRun.start(tiny(40, 1e-3, 1, 1.0, 0.1), corpus, null);
            TrainingLoop.run(r, (step, l, trainLoss, dev, g, tps) -> {
                long now = minitrain.autograd.StepMemory.bytes();
                if (step == 0) seen[0] = now;
                seen[1] = Math.max(seen[1], now);
            });
            return seen;
        });
        assertTrue(sizes[0] > 0);
        assertEquals(sizes[0], sizes[1], "the block grew after the first step");
        // Without it: a block made by a pass over short records grows when the longest batch comes.
        long[] grown = onFreshThread(() -> {
            TrainingRun r = TrainingRun.start(tiny(2, 1e-3, 1, 1.0, 0.1), corpus, null);
            Batch shortest = Batch.of(java.util.Collections.nCopies(8, new int[] {1, 2, 3}), corpus.vocab().padId, 64);
            try (var memory = minitrain.autograd.StepMemory.open()) {
                var logits = r.model().forward(shortest.idx(), shortest.real(), true, new minitrain.Rng(1));
                minitrain.autograd.CrossEntropy.apply(logits, shortest.targets(), shortest.counted(), 1).backward();
            }
            long before = minitrain.autograd.StepMemory.bytes();
            r.reservePassMemory();
            return new long[] {before, minitrain.autograd.StepMemory.bytes()};
        });
        assertTrue(grown[1] > 2 * grown[0], "a block of " + grown[0] + " bytes became " + grown[1]);
    }
}
