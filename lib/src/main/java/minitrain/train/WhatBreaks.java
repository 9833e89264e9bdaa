package minitrain.train;

import java.util.ArrayList;
import java.util.List;
import minitrain.KitError;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.Nd;
import minitrain.autograd.StepMemory;
import minitrain.autograd.Tensor;

/**
 * Lab 01's "what breaks if..." experiments: the library's loop with one line changed, on a model small enough
 * to train in seconds, recorded as a {@link Curve}. The notebook plots the curves; WhatBreaksTest runs the
 * same configs and asserts the direction each sentence of the notebook's prose claims.
 *
 * <p>Four lines are taken out when the run is built ({@link Switches}: warmup, the loss mask, zero-grad and
 * evaluation mode), so those runs go through {@link TrainingLoop} itself. Two experiments need a line the loop
 * does not have: a gradient spike at a chosen step (to show what clipping, {@code grad_clip}, is for), and
 * accumulation as a mean of per-micro-batch means. For those this class takes the loop's step itself, line for
 * line, with that one line changed.
 */
public final class WhatBreaks {

    /** The step whose gradient {@link #trainWithSpike} multiplies, and by how much. */
    public static final int SPIKE_STEP = 20;
    public static final double SPIKE_FACTOR = 100;

    private WhatBreaks() {}

    /**
     * The model of every experiment: one block of width 16 and 8 records a step, a few seconds per run. The dev
     * loss is scored 128 records at a time: fewer, larger passes than the default 32.
     */
    private static final String SMALL_MODEL = """
            {"n_layer": 1, "n_head": 2, "n_embd": 16, "batch_size": 8, "lr": 0.01, "warmup_steps": 10,
             "eval_batch": 128, "ckpt_every": 100000, "seed": 1337}""";

    /**
     * The run most experiments change one line of: dropout 0.1, so that evaluation mode matters; 40 steps with
     * the dev loss every 20 (150 and 25 in the full budget).
     */
    public static TrainConfig smallConfig(boolean smoke) {
        return TrainConfig.fromJson(SMALL_MODEL, "what-breaks small").with("dropout", 0.1)
                .with("max_steps", smoke ? 40 : 150).with("eval_every", smoke ? 20 : 25);
    }

    /**
     * The warmup experiment's run: a peak learning rate of 0.2 reached over 20 steps, no dropout, the dev loss
     * at step 0 and after the last step only. (At the small run's peak of 0.01, taking warmup out made no
     * visible difference.)
     */
    public static TrainConfig warmupConfig(boolean smoke) {
        return TrainConfig.fromJson(SMALL_MODEL, "what-breaks warmup").with("dropout", 0.0).with("lr", 0.2)
                .with("warmup_steps", 20).with("max_steps", smoke ? 40 : 150).with("eval_every", 100000);
    }

    /**
     * The accumulation experiment's run: {@code gradAccum} micro-batches of {@code 8 / gradAccum} records a
     * step, so that every variant sees the same 8 records per step. No dropout: its masks depend on a batch's
     * padded shape, and the experiment compares runs that split the same records differently.
     */
    public static TrainConfig accumulationConfig(boolean smoke, int gradAccum) {
        return TrainConfig.fromJson(SMALL_MODEL, "what-breaks accumulation").with("dropout", 0.0)
                .with("batch_size", 8 / gradAccum).with("grad_accum", gradAccum)
                .with("max_steps", smoke ? 30 : 100).with("eval_every", 100000);
    }

    /**
     * One run of an experiment. Step numbers count from 0 (step s is the update taken when s steps are done).
     *
     * @param trainLoss the loss each step reports, divided the way that run divides it
     * @param devLoss   the dev loss at {@code devSteps}, as the run computes it (evaluation mode or not), before
     *                  that step's update; the last one after the last step ({@code devSteps} holds max_steps)
     * @param stopped   the error when a NaN or an infinity stopped the run, else null
     * @param weights   every weight after each step, flattened in parameter order (empty unless asked for)
     */
    public record Curve(String name, List<Integer> steps, List<Double> trainLoss, List<Double> gradNorm,
                        List<Integer> devSteps, List<Double> devLoss, String stopped, List<double[]> weights) {

        /** The dev loss after the last step; NaN when the run was stopped. */
        public double finalDev() {
            return stopped != null ? Double.NaN : devLoss.get(devLoss.size() - 1);
        }

        /** The dev loss evaluated before step {@code step} (or after the last one); NaN if not evaluated there. */
        public double devAt(int step) {
            int i = devSteps.indexOf(step);
            return i < 0 ? Double.NaN : devLoss.get(i);
        }

        /** The highest train loss of steps {@code from} to {@code to}, both included. */
        public double maxTrainLoss(int from, int to) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = from; i <= to && i < trainLoss.size(); i++) max = Math.max(max, trainLoss.get(i));
            return max;
        }

        /** The mean train loss of the last {@code n} steps: one batch's loss is noisy, the mean of ten is not. */
        public double lastTrainLoss(int n) {
            double sum = 0;
            for (int i = trainLoss.size() - n; i < trainLoss.size(); i++) sum += trainLoss.get(i);
            return sum / n;
        }

        public double maxGradNorm() {
            return gradNorm.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        /** The steps as doubles, an XChart x axis. */
        public List<Double> x() {
            return steps.stream().map(Integer::doubleValue).toList();
        }

        /** The dev steps as doubles, an XChart x axis. */
        public List<Double> devX() {
            return devSteps.stream().map(Integer::doubleValue).toList();
        }
    }

    /** The loop's listener that records a {@link Curve}; {@code keepWeights} also copies the weights each step. */
    private static final class Recorder implements TrainingLoop.Listener {
        final TrainingRun run;
        final boolean keepWeights;
        final List<Integer> steps = new ArrayList<>(), devSteps = new ArrayList<>();
        final List<Double> loss = new ArrayList<>(), norm = new ArrayList<>(), dev = new ArrayList<>();
        final List<double[]> weights = new ArrayList<>();

        Recorder(TrainingRun run, boolean keepWeights) {
            this.run = run;
            this.keepWeights = keepWeights;
        }

        @Override
        public void step(int step, double lr, double trainLoss, Double devLoss, double gradNorm, double tokensPerS) {
            steps.add(step);
            loss.add(trainLoss);
            norm.add(gradNorm);
            if (devLoss != null) {
                devSteps.add(step);
                dev.add(devLoss);
            }
            if (keepWeights) weights.add(flatWeights(run));
        }

        Curve finish(String name, String stopped) {
            if (stopped == null) { // the finished run's dev loss, which no step of the loop evaluates
                devSteps.add(run.step());
                dev.add(run.devLoss());
            }
            return new Curve(name, steps, loss, norm, devSteps, dev, stopped, weights);
        }
    }

    /**
     * The library's loop ({@link TrainingLoop#run}) to the end, recorded. When a NaN or an infinity stops the
     * run ({@link TrainingRun#requireFinite}) the curve ends at the last finished step and keeps the reason.
     */
    public static Curve train(String name, TrainingRun run) {
        return train(name, run, false);
    }

    public static Curve train(String name, TrainingRun run, boolean keepWeights) {
        Recorder r = new Recorder(run, keepWeights);
        try {
            TrainingLoop.run(run, r);
        } catch (KitError e) {
            return r.finish(name, e.getMessage());
        }
        return r.finish(name, null);
    }

    /**
     * The library's loop, except that at step {@code spikeStep} every gradient is {@code factor} times too
     * large (the loss is divided by denominator / factor): a rare huge gradient, made on purpose at a step we
     * choose. The curve reports the step's true loss. Clipping ({@code grad_clip}) is what the experiment
     * switches. With {@code factor} 1 the run is the library's loop to the bit (WhatBreaksTest checks it).
     */
    public static Curve trainWithSpike(String name, TrainingRun run, int spikeStep, double factor) {
        Recorder r = new Recorder(run, false);
        while (!run.finished()) step(run, r, run.step() == spikeStep ? factor : 1, false);
        return r.finish(name, null);
    }

    /**
     * The library's loop, except that each micro-batch's loss is divided by its own target count times
     * {@code grad_accum}, a mean of per-micro-batch means, instead of by the whole step's target count: a
     * token of a short micro-batch then weighs more than a token of a long one.
     */
    public static Curve trainMeanOfMeans(String name, TrainingRun run, boolean keepWeights) {
        Recorder r = new Recorder(run, keepWeights);
        while (!run.finished()) step(run, r, 1, true);
        return r.finish(name, null);
    }

    /** One step of {@link TrainingLoop#run}, line for line, with the two changes the experiments above need. */
    private static void step(TrainingRun run, Recorder recorder, double spike, boolean meanOfMeans) {
        TrainConfig c = run.config();
        int step = run.step();
        double lr = run.lr();
        Double dev = step % c.evalEvery() == 0 ? run.devLoss() : null;
        run.zeroGrad();
        List<Batch> micro = run.nextMicroBatches();
        int denominator = run.denominator(micro);
        double loss = 0;
        for (Batch b : micro) {
            // The changed line: this micro-batch's own target count (times grad_accum), not the whole step's.
            double divideBy = meanOfMeans ? run.denominator(List.of(b)) * (double) micro.size() : denominator;
            try (StepMemory memory = StepMemory.open()) {
                Tensor logits = run.model().forward(b.idx(), b.real(), true, run.dropout());
                // The spike: a smaller divisor makes this loss, and every gradient, spike times too large.
                Tensor out = CrossEntropy.apply(logits, b.targets(), run.lossMask(b), divideBy / spike);
                out.backward();
                loss += out.item() / spike; // the step's true loss, for the curve
            }
        }
        run.requireFinite(loss);
        double norm = GradClip.clip(run.parameters(), c.gradClip());
        run.optimizer().step(lr);
        run.finishStep(lr, loss, dev, norm, 0, 0); // a run in memory: no metrics file, so no timings to log
        recorder.step(step, lr, loss, dev, norm, 0);
    }

    /** Every weight of the run's model, flattened in parameter order. */
    public static double[] flatWeights(TrainingRun run) {
        List<double[]> parts = new ArrayList<>();
        int n = 0;
        for (Tensor p : run.parameters().values()) {
            double[] v = Nd.values(p.data);
            parts.add(v);
            n += v.length;
        }
        double[] all = new double[n];
        int at = 0;
        for (double[] v : parts) {
            System.arraycopy(v, 0, all, at, v.length);
            at += v.length;
        }
        return all;
    }

    /** ||a - b|| / ||b||: how far one run's weights are from a reference run's, relative to their size. */
    public static double relativeDistance(double[] a, double[] b) {
        double d = 0, n = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
            n += b[i] * b[i];
        }
        return Math.sqrt(d / n);
    }
}
