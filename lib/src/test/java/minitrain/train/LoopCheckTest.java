package minitrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.StepMemory;
import minitrain.autograd.Tensor;
import minitrain.corpus.Corpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Lab 01's check accepts the loop written out line by line, and names the line a wrong loop is missing. */
class LoopCheckTest {

    static Corpus corpus;
    /** Dropout on, two micro-batches, clipping that bites: every line of the loop changes the bits. */
    static final TrainConfig CONFIG = TrainConfig.fromJson("{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"dropout\":0.1,"
            + "\"batch_size\":8,\"grad_accum\":2,\"max_steps\":6,\"warmup_steps\":2,\"lr\":0.01,\"grad_clip\":0.5,"
            + "\"eval_every\":3,\"ckpt_every\":100000,\"seed\":11}", "test");

    @BeforeAll
    static void load() {
        corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
    }

    /** The loop as a learner writes it in lab 01, with a switch to leave out zero-grad or the one denominator. */
    static LoopCheck.Loop learnerLoop(boolean zeroGrad, boolean oneDenominator) {
        return (run, listener) -> {
            TrainConfig c = run.config();
            for (int step = run.step(); step < c.maxSteps(); step++) {
                double lr = run.lr();
                Double dev = step % c.evalEvery() == 0 ? run.devLoss() : null;
                if (zeroGrad) run.zeroGrad();
                List<Batch> micro = run.nextMicroBatches();
                double loss = 0;
                for (Batch b : micro) {
                    int denominator = oneDenominator ? run.denominator(micro)
                            : run.denominator(List.of(b)) * micro.size();
                    try (StepMemory memory = StepMemory.open()) {
                        Tensor logits = run.model().forward(b.idx(), b.real(), true, run.dropout());
                        Tensor out = CrossEntropy.apply(logits, b.targets(), run.lossMask(b), denominator);
                        out.backward();
                        loss += out.item();
                    }
                }
                run.requireFinite(loss);
                double norm = GradClip.clip(run.parameters(), c.gradClip());
                run.optimizer().step(lr);
                run.finishStep(lr, loss, dev, norm, 0, 0);
                listener.step(step, lr, loss, dev, norm, 0);
            }
        };
    }

    @Test
    void theLoopWrittenOutLineByLineIsCorrect() {
        String r = LoopCheck.check("myLoop", learnerLoop(true, true), CONFIG, corpus);
        assertTrue(r.startsWith("correct: myLoop: 6 steps"), r);
    }

    @Test
    void anEmptyLoopIsNotAnsweredYet() {
        assertTrue(LoopCheck.check("myLoop", (run, l) -> {}, CONFIG, corpus).startsWith("not answered yet"));
    }

    @Test
    void aLoopWithoutZeroGradIsToldWhichLineIsMissing() {
        String r = LoopCheck.check("myLoop", learnerLoop(false, true), CONFIG, corpus);
        assertTrue(r.startsWith("not right yet: myLoop = ") && r.contains("zeroes no gradient"), r);
    }

    @Test
    void aMeanOfMeansIsCaughtWithTheOrderToCompare() {
        String r = LoopCheck.check("myLoop", learnerLoop(true, false), CONFIG, corpus);
        assertTrue(r.startsWith("not right yet: myLoop = step 0 reported"), r);
        assertTrue(r.contains("one denominator"), r);
    }

    @Test
    void aLoopThatStopsEarlyIsToldWhere() {
        String r = LoopCheck.check("myLoop", (run, l) -> learnerLoop(true, true).run(run, (s, a, b, c, d, e) -> {
            if (s == 2) throw new IllegalStateException("stopped by the test");
        }), CONFIG, corpus);
        assertEquals("not right yet: myLoop = your loop stopped at step 3. it threw: stopped by the test", r);
    }
}
