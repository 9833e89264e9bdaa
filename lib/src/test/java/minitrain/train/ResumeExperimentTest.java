package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import minitrain.corpus.Corpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lab 02's experiment, run with the lab's own config: every sentence of the lab's prose about which part of a
 * run's state, left out on resume, diverges how, is asserted here.
 */
class ResumeExperimentTest {

    @TempDir
    static Path tmp;
    static Corpus corpus;
    static TrainingRun straight;
    /** The uninterrupted run from the resume step on, and each run resumed there with one part left out. */
    static ResumeExperiment.Trace reference;
    static ResumeExperiment.Trace allRestored;
    static TrainingRun allRestoredRun;
    static final Map<Checkpoint.Part, TrainingRun> runsWithout = new EnumMap<>(Checkpoint.Part.class);
    static final Map<Checkpoint.Part, ResumeExperiment.Trace> without = new EnumMap<>(Checkpoint.Part.class);
    static final Map<Checkpoint.Part, double[]> gap = new EnumMap<>(Checkpoint.Part.class);
    static int steps;

    @BeforeAll
    static void experiment() throws Exception {
        corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
        TrainConfig c = ResumeExperiment.config();
        steps = c.maxSteps() - ResumeExperiment.RESUME_AT;
        straight = TrainingRun.start(c, corpus, tmp.resolve("straight"));
        reference = ResumeExperiment.follow(straight, c.maxSteps()).from(ResumeExperiment.RESUME_AT);
        Path ckpt = Checkpoint.fileFor(tmp.resolve("straight"), ResumeExperiment.RESUME_AT);
        allRestoredRun = Checkpoint.load(copy(ckpt, "all"), corpus);
        allRestored = ResumeExperiment.follow(allRestoredRun, steps);
        for (Checkpoint.Part p : Checkpoint.Part.values()) {
            TrainingRun r = Checkpoint.load(copy(ckpt, p.name()), corpus, Switches.ALL_ON,
                    EnumSet.complementOf(EnumSet.of(p)));
            runsWithout.put(p, r);
            without.put(p, ResumeExperiment.follow(r, steps));
            gap.put(p, ResumeExperiment.maxWeightDifference(without.get(p), reference));
        }
    }

    static Path copy(Path ckpt, String folder) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(folder));
        return Files.copy(ckpt, dir.resolve(ckpt.getFileName()));
    }

    @Test
    void everyRunIsFollowedForTheSameNumberOfStepsAfterTheResume() {
        assertEquals(16, steps);
        assertEquals(steps, reference.steps());
        for (var t : without.values()) assertEquals(steps, t.steps());
        // STEP left out: the run starts again at step 0 and would take max_steps; only the first 16 are followed.
        assertEquals(0, without.get(Checkpoint.Part.STEP).firstStep());
        assertEquals(steps, without.get(Checkpoint.Part.STEP).steps());
        // A run followed to its end is left to finish: its last checkpoint is written.
        assertTrue(Files.exists(Checkpoint.fileFor(tmp.resolve("straight"), ResumeExperiment.config().maxSteps())));
    }

    @Test
    void withEveryPartRestoredTheRunNeverDiverges() {
        assertEquals(-1, ResumeExperiment.firstDivergingStep(allRestored, reference));
        for (double d : ResumeExperiment.maxWeightDifference(allRestored, reference)) assertEquals(0.0, d);
        for (int j = 0; j < steps; j++) {
            assertEquals(Double.doubleToRawLongBits(reference.trainLoss()[j]),
                    Double.doubleToRawLongBits(allRestored.trainLoss()[j]), "train loss, step " + j);
        }
    }

    @Test
    void leavingOutAnyOnePartChangesTheWeightsFromTheFirstStepAfterTheResume() {
        for (var e : without.entrySet()) {
            assertEquals(0, ResumeExperiment.firstDivergingStep(e.getValue(), reference), e.getKey().name());
        }
    }

    @Test
    void leavingOutTheMomentsMovesTheWeightsFurthestAtEveryStep() {
        for (int j = 0; j < steps; j++) {
            for (Checkpoint.Part p : Checkpoint.Part.values()) {
                if (p == Checkpoint.Part.MOMENTS) continue;
                assertTrue(gap.get(Checkpoint.Part.MOMENTS)[j] > gap.get(p)[j], "step " + j + " vs " + p);
            }
        }
    }

    @Test
    void leavingOutTheStepRestartsWarmupSoTheFirstGapIsTheSmallest() {
        double peak = ResumeExperiment.config().lr();
        int warmup = ResumeExperiment.config().warmupSteps();
        assertEquals(peak / warmup, without.get(Checkpoint.Part.STEP).lr()[0], 0.0);
        assertEquals(0.009, reference.lr()[0], 0.0005, "about 0.009");
        assertTrue(reference.lr()[0] > 3 * without.get(Checkpoint.Part.STEP).lr()[0], Arrays.toString(reference.lr()));
        // Lower for the first three steps after the resume (warmup again), higher from the fourth on.
        double[] lost = without.get(Checkpoint.Part.STEP).lr();
        for (int j = 0; j < steps; j++) {
            assertEquals(j >= 3, lost[j] > reference.lr()[j], "step " + j + ": " + lost[j] + " vs "
                    + reference.lr()[j]);
        }
        for (Checkpoint.Part p : Checkpoint.Part.values()) {
            if (p != Checkpoint.Part.STEP) assertTrue(gap.get(Checkpoint.Part.STEP)[0] < gap.get(p)[0], p.name());
        }
    }

    @Test
    void withoutTheStepTheGapKeepsGrowingWhileDataOrderAndDropoutLevelOff() {
        double[] step = gap.get(Checkpoint.Part.STEP);
        int half = steps / 2, last = steps - 1;
        // Over the second half (steps 8 to 16 after the resume) the STEP run's gap grows at every step and more
        // than doubles...
        assertTrue(step[last] > 2 * step[half - 1], Arrays.toString(step));
        for (int j = half; j <= last; j++) {
            assertTrue(step[j] > step[j - 1], "step " + j + ": " + Arrays.toString(step));
        }
        // ...while data order's and dropout's change by less than a tenth...
        for (Checkpoint.Part p : new Checkpoint.Part[] {Checkpoint.Part.DATA_ORDER, Checkpoint.Part.DROPOUT_RNG}) {
            double[] g = gap.get(p);
            assertTrue(Math.abs(g[last] - g[half - 1]) < 0.1 * g[half - 1], p + " " + Arrays.toString(g));
            // ...so at the end it is the second largest gap, above both of them.
            assertTrue(step[last] > g[last], p.name());
        }
    }

    @Test
    void theFirstStepsLossDiffersOnlyWhenTheBatchOrTheDropoutMasksDiffer() {
        // The train loss is measured before the step's update: with the same weights, batch and masks it is the
        // same number whatever the optimizer or the learning rate will then do.
        for (Checkpoint.Part p : new Checkpoint.Part[] {Checkpoint.Part.MOMENTS, Checkpoint.Part.STEP}) {
            assertEquals(Double.doubleToRawLongBits(reference.trainLoss()[0]),
                    Double.doubleToRawLongBits(without.get(p).trainLoss()[0]), p.name());
        }
        for (Checkpoint.Part p : new Checkpoint.Part[] {Checkpoint.Part.DATA_ORDER, Checkpoint.Part.DROPOUT_RNG}) {
            assertNotEquals(reference.trainLoss()[0], without.get(p).trainLoss()[0], p.name());
        }
    }

    @Test
    void aRunResumedWithEveryPartEndsInTheUninterruptedRunsStateAndRunCheckSaysWhichPartWasLeftOut() {
        // Followed for 16 steps from step 8, both runs have reached max_steps: their whole state can be compared.
        assertTrue(allRestoredRun.finished());
        assertTrue(RunCheck.sameState("resumed", allRestoredRun, straight).startsWith("correct: "));
        TrainingRun noDropout = runsWithout.get(Checkpoint.Part.DROPOUT_RNG);
        assertTrue(noDropout.finished());
        String wrong = RunCheck.sameState("resumed", noDropout, straight);
        assertTrue(wrong.startsWith("not right yet: resumed differs first in transformer."), wrong);
        assertTrue(wrong.contains("Checkpoint.Part.DROPOUT_RNG") && !wrong.contains("Part.MOMENTS"), wrong);
    }
}
