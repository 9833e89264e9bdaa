package minitrain.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Lab 02's experiment: a run resumed from a checkpoint with one part of its state left out
 * ({@link Checkpoint.Part}) is followed step by step beside the run that never stopped. {@link #follow} records
 * what each step did; {@link #maxWeightDifference} says how far apart two runs' weights are after each step.
 * The lab and ResumeExperimentTest run the same config ({@link #CONFIG}), so the lab's prose is tested.
 */
public final class ResumeExperiment {

    /**
     * A run small enough to follow step by step in seconds, with everything that makes resuming hard switched
     * on: dropout (a generator to restore), two micro-batches per step (two draws from the data order per
     * step), warmup and a cosine schedule (a learning rate that depends on the step).
     */
    public static final String CONFIG = "{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"block_size\":64,\"dropout\":0.1,"
            + "\"batch_size\":8,\"grad_accum\":2,\"max_steps\":24,\"warmup_steps\":4,\"lr\":0.01,\"min_lr\":0.001,"
            + "\"eval_every\":100000,\"ckpt_every\":4,\"seed\":7}";
    /** The step whose checkpoint the lab resumes from (the state after 8 steps, before step 8). */
    public static final int RESUME_AT = 8;

    private ResumeExperiment() {}

    public static TrainConfig config() {
        return TrainConfig.fromJson(CONFIG, "ResumeExperiment.CONFIG");
    }

    /** What a run did in the steps it was followed for: step j is the j-th step taken after {@link #follow} began. */
    public record Trace(int firstStep, double[] lr, double[] trainLoss, double[][] weights) {
        public int steps() {
            return trainLoss.length;
        }

        /** The same trace from the run's step {@code step} on (to line up a run with one resumed there). */
        public Trace from(int step) {
            int j = step - firstStep;
            if (j < 0 || j > steps()) throw new IllegalArgumentException("step " + step + " is outside this trace");
            return new Trace(step, Arrays.copyOfRange(lr, j, steps()), Arrays.copyOfRange(trainLoss, j, steps()),
                    Arrays.copyOfRange(weights, j, steps()));
        }
    }

    /**
     * Trains {@code run} for {@code steps} more steps (fewer if it finishes first) and records each step's
     * learning rate, train loss, and every weight after it (in {@code run.parameters()} order).
     */
    public static Trace follow(TrainingRun run, int steps) {
        int first = run.step();
        List<Double> lr = new ArrayList<>(), loss = new ArrayList<>();
        List<double[]> weights = new ArrayList<>();
        try {
            TrainingLoop.run(run, (step, rate, trainLoss, dev, norm, tokensPerS) -> {
                lr.add(rate);
                loss.add(trainLoss);
                weights.add(WhatBreaks.flatWeights(run));
                // TrainingLoop.run goes on to max_steps; a run resumed at step 0 (STEP left out) would take
                // max_steps more, so the listener stops the loop once it has what the comparison needs. A run
                // that ends here anyway is left to finish, so that its last checkpoint is written.
                if (loss.size() == steps && !run.finished()) throw new Enough();
            });
        } catch (Enough e) {
            // followed for as many steps as asked
        }
        double[][] w = weights.toArray(new double[0][]);
        return new Trace(first, unbox(lr), unbox(loss), w);
    }

    /** Step by step, the largest |difference| between the two runs' weights after that step. */
    public static double[] maxWeightDifference(Trace a, Trace b) {
        int n = Math.min(a.steps(), b.steps());
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            double max = 0;
            double[] x = a.weights[j], y = b.weights[j];
            for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
            out[j] = max;
        }
        return out;
    }

    /** Step by step, |a's train loss - b's train loss| (different batches also count: see the lab). */
    public static double[] lossDifference(Trace a, Trace b) {
        int n = Math.min(a.steps(), b.steps());
        double[] out = new double[n];
        for (int j = 0; j < n; j++) out[j] = Math.abs(a.trainLoss[j] - b.trainLoss[j]);
        return out;
    }

    /** The first step after which the two runs' weights differ in any bit; -1 when they never do. */
    public static int firstDivergingStep(Trace a, Trace b) {
        int n = Math.min(a.steps(), b.steps());
        for (int j = 0; j < n; j++) if (RunCheck.firstDifferentBits(a.weights[j], b.weights[j]) >= 0) return j;
        return -1;
    }

    private static double[] unbox(List<Double> xs) {
        double[] out = new double[xs.size()];
        for (int i = 0; i < out.length; i++) out[i] = xs.get(i);
        return out;
    }

    /** Thrown by the listener to end the loop early; never leaves {@link #follow}. */
    private static final class Enough extends RuntimeException {
        Enough() {
            super(null, null, false, false);
        }
    }
}
