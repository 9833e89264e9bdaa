package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import minitrain.corpus.Corpus;
import minitrain.train.WhatBreaks.Curve;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lab 01's "what breaks if..." section on the configs of its smoke run: each test asserts the directions one
 * paragraph of the notebook's prose states. The runs are made once, about 400 small steps in all.
 */
class WhatBreaksTest {

    static final boolean SMOKE = true;
    static Corpus corpus;
    static Curve real, noMask, noZeroGrad, noEvalMode, warm, cold, clipped, unclipped;
    static Curve oneBatch, oneDenominator, meanOfMeans;

    static Curve train(String name, TrainConfig c, Switches s) {
        return WhatBreaks.train(name, TrainingRun.start(c, s, corpus, null));
    }

    @BeforeAll
    static void runTheExperiments() {
        corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
        TrainConfig small = WhatBreaks.smallConfig(SMOKE);
        real = train("all lines", small, Switches.ALL_ON);
        noMask = train("no loss mask", small, Switches.ALL_ON.withoutLossMask());
        noZeroGrad = train("no zero-grad", small, Switches.ALL_ON.withoutZeroGrad());
        noEvalMode = train("no eval mode", small, Switches.ALL_ON.withoutEvalMode());

        TrainConfig highLr = WhatBreaks.warmupConfig(SMOKE);
        warm = train("warmup", highLr, Switches.ALL_ON);
        cold = train("no warmup", highLr, Switches.ALL_ON.withoutWarmup());

        int at = WhatBreaks.SPIKE_STEP;
        double factor = WhatBreaks.SPIKE_FACTOR;
        TrainingRun withClip = TrainingRun.start(small, Switches.ALL_ON, corpus, null);
        TrainingRun noClip = TrainingRun.start(small.with("grad_clip", 0.0), Switches.ALL_ON, corpus, null);
        clipped = WhatBreaks.trainWithSpike("clipped", withClip, at, factor);
        unclipped = WhatBreaks.trainWithSpike("unclipped", noClip, at, factor);

        TrainConfig one = WhatBreaks.accumulationConfig(SMOKE, 1), two = WhatBreaks.accumulationConfig(SMOKE, 2);
        oneBatch = WhatBreaks.train("one batch", TrainingRun.start(one, Switches.ALL_ON, corpus, null), true);
        TrainingRun accumulated = TrainingRun.start(two, Switches.ALL_ON, corpus, null);
        oneDenominator = WhatBreaks.train("one denominator", accumulated, true);
        TrainingRun means = TrainingRun.start(two, Switches.ALL_ON, corpus, null);
        meanOfMeans = WhatBreaks.trainMeanOfMeans("mean of means", means, true);
    }

    @Test
    void theRecordedRunsAreWholeAndFinite() {
        for (Curve c : List.of(real, noMask, noZeroGrad, noEvalMode, warm, cold, clipped, unclipped, oneBatch,
                oneDenominator, meanOfMeans)) {
            assertNull(c.stopped(), c.name());
            assertEquals(c.steps().size(), c.trainLoss().size(), c.name());
            assertEquals(0, c.steps().get(0), c.name() + ": steps count from 0");
            assertTrue(Double.isFinite(c.finalDev()), c.name());
        }
        assertEquals(List.of(0, 20, 40), real.devSteps(), "dev at every eval_every steps and after the last step");
    }

    @Test
    void withoutTheMaskTheTrainLossLiesAndTheMaskedDevLossDoesNotFollowIt() {
        double trainGap = real.lastTrainLoss(10) - noMask.lastTrainLoss(10);
        assertTrue(trainGap > 0.3, "the unmasked train loss is far lower: " + trainGap);
        int first = real.devSteps().get(1);
        assertTrue(noMask.devAt(first) > real.devAt(first),
                "masked dev loss at step " + first + ": " + noMask.devAt(first) + " vs " + real.devAt(first));
        double devGap = Math.abs(noMask.finalDev() - real.finalDev());
        assertTrue(devGap < trainGap / 4, "the dev losses end much closer than the train losses: " + devGap);
    }

    @Test
    void withoutWarmupTheLossClimbsAboveItsStartAndTheDamageLasts() {
        double start = warm.trainLoss().get(0);
        assertEquals(start, cold.trainLoss().get(0), 0.0, "the same weights and batch at step 0");
        assertTrue(cold.maxTrainLoss(1, 9) > start + 0.3, "no warmup climbs: " + cold.maxTrainLoss(1, 9));
        assertTrue(warm.maxTrainLoss(1, 9) < start, "warmup only falls: " + warm.maxTrainLoss(1, 9) + " vs " + start);
        assertTrue(cold.finalDev() > warm.finalDev() + 0.1, "dev at the end: " + cold.finalDev() + " vs "
                + warm.finalDev());
    }

    @Test
    void withoutZeroGradTheNormGrowsAndTheDevLossIsHigherAtEveryEvaluation() {
        assertTrue(noZeroGrad.maxGradNorm() > real.maxGradNorm(),
                noZeroGrad.maxGradNorm() + " vs " + real.maxGradNorm());
        assertEquals(real.devSteps(), noZeroGrad.devSteps());
        for (int s : real.devSteps()) {
            if (s == 0) continue; // the same weights: no step taken yet
            assertTrue(noZeroGrad.devAt(s) > real.devAt(s),
                    "step " + s + ": " + noZeroGrad.devAt(s) + " vs " + real.devAt(s));
        }
    }

    @Test
    void theSpikeRunIsTheLibrarysLoopWhenTheFactorIsOne() {
        TrainingRun run = TrainingRun.start(WhatBreaks.smallConfig(SMOKE), Switches.ALL_ON, corpus, null);
        Curve same = WhatBreaks.trainWithSpike("factor 1", run, WhatBreaks.SPIKE_STEP, 1);
        assertEquals(real.trainLoss(), same.trainLoss(), "the same losses, to the bit");
        assertEquals(real.gradNorm(), same.gradNorm());
        assertEquals(real.devLoss(), same.devLoss());
    }

    @Test
    void withoutClippingOneHugeGradientSetsTheRunBack() {
        assertTrue(real.maxGradNorm() < 1.5, "ordinary steps: " + real.maxGradNorm());
        double spike = clipped.gradNorm().get(WhatBreaks.SPIKE_STEP);
        assertTrue(spike > 20, "the spike: " + spike);
        assertEquals(spike, unclipped.gradNorm().get(WhatBreaks.SPIKE_STEP), 1e-9, "the same run until the spike");
        assertEquals(real.finalDev(), clipped.finalDev(), 0.01, "clipped, the run ends almost as without the spike");
        assertTrue(unclipped.finalDev() > clipped.finalDev() + 0.05,
                unclipped.finalDev() + " vs " + clipped.finalDev());
        assertTrue(unclipped.lastTrainLoss(10) > clipped.lastTrainLoss(10),
                unclipped.lastTrainLoss(10) + " vs " + clipped.lastTrainLoss(10));
    }

    @Test
    void withoutEvalModeTheDevLossIsTooHighOnceTheModelHasLearned() {
        assertEquals(real.trainLoss(), noEvalMode.trainLoss(), "training is untouched");
        assertEquals(real.devSteps(), noEvalMode.devSteps());
        assertEquals(real.devAt(0), noEvalMode.devAt(0), 0.01, "random weights: dropout changes almost nothing");
        List<Double> gaps = new java.util.ArrayList<>();
        for (int s : real.devSteps()) {
            if (s == 0) continue;
            double gap = noEvalMode.devAt(s) - real.devAt(s);
            assertTrue(gap > 0, "step " + s + ": " + noEvalMode.devAt(s) + " vs " + real.devAt(s));
            gaps.add(gap);
        }
        assertTrue(gaps.stream().distinct().count() > 1, "by a different amount each time: " + gaps);
    }

    @Test
    void oneDenominatorIsTheStepOfOneBatchAndAMeanOfMeansDriftsAway() {
        List<Batch> micro = TrainingRun.start(WhatBreaks.accumulationConfig(SMOKE, 2), Switches.ALL_ON, corpus, null)
                .nextMicroBatches();
        assertNotEquals(micro.get(0).tokens(), micro.get(1).tokens(), "micro-batches of different lengths");
        int last = oneBatch.weights().size() - 1;
        for (int s = 0; s <= last; s++) {
            double d = WhatBreaks.relativeDistance(oneDenominator.weights().get(s), oneBatch.weights().get(s));
            assertTrue(d < 1e-9, "one denominator, step " + s + ": " + d);
        }
        double first = WhatBreaks.relativeDistance(meanOfMeans.weights().get(0), oneBatch.weights().get(0));
        double end = WhatBreaks.relativeDistance(meanOfMeans.weights().get(last), oneBatch.weights().get(last));
        assertTrue(first > 1e-4 && end > 10 * first, "the mean of means drifts away: " + first + ", then " + end);
        assertEquals(oneDenominator.finalDev(), meanOfMeans.finalDev(), 0.05, "the dev losses end close");
    }
}
