package minitrain.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import minitrain.Exercise;
import minitrain.KitError;
import minitrain.autograd.Nd;
import minitrain.corpus.Corpus;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lab 01's check: the learner's training loop against the library's {@link TrainingLoop}, on the same seed and
 * config, bit for bit. Both loops start from identical runs; afterwards every weight, every AdamW moment, the
 * run's state (step, data order, dropout generator) and every number reported to the listener must be equal.
 * A difference is named (which tensor or which step's number), and when the learner's run equals the library's
 * loop with one line taken out, the hint says which line.
 */
public final class LoopCheck {

    /** A training loop: takes a run from its current step to max_steps, reporting every step to the listener. */
    @FunctionalInterface
    public interface Loop {
        void run(TrainingRun run, TrainingLoop.Listener listener);
    }

    /** One step as the listener saw it. */
    record Row(int step, double lr, double loss, Double dev, double norm) {}

    private LoopCheck() {}

    /**
     * Runs {@code mine} and the library's loop on two fresh runs of {@code config}; returns "correct: ...",
     * "not answered yet: ..." (the learner's loop took no step) or "not right yet: ..." with a hint.
     */
    public static String check(String name, Loop mine, TrainConfig config, Corpus corpus) {
        TrainingRun yours = TrainingRun.start(config, corpus, null);
        List<Row> yourRows = new ArrayList<>();
        try {
            mine.run(yours, recorder(yourRows));
        } catch (KitError | ArithmeticException | IllegalStateException | IndexOutOfBoundsException e) {
            return Exercise.wrong(name, "your loop stopped at step " + yours.step(), "it threw: " + e.getMessage());
        }
        if (yours.step() == 0 && yourRows.isEmpty()) return Exercise.notAnswered(name);
        TrainingRun reference = TrainingRun.start(config, corpus, null);
        List<Row> referenceRows = new ArrayList<>();
        TrainingLoop.run(reference, recorder(referenceRows));
        String difference = firstDifference(yours, yourRows, reference, referenceRows);
        if (difference == null) {
            return "correct: " + name + ": " + reference.step() + " steps, every weight, AdamW moment and reported"
                    + " number equal to the library's loop, bit for bit";
        }
        return Exercise.wrong(name, difference, diagnosis(yours, config, corpus));
    }

    private static TrainingLoop.Listener recorder(List<Row> rows) {
        return (step, lr, loss, dev, norm, tokensPerS) -> rows.add(new Row(step, lr, loss, dev, norm));
    }

    /** The first thing that differs, in the order a reader would look: steps, reported numbers, then state. */
    static String firstDifference(TrainingRun a, List<Row> aRows, TrainingRun b, List<Row> bRows) {
        if (a.step() != b.step()) {
            return "your run ended at step " + a.step() + ", the reference at " + b.step()
                    + " (call run.finishStep once per step)";
        }
        for (int i = 0; i < Math.min(aRows.size(), bRows.size()); i++) {
            Row x = aRows.get(i), y = bRows.get(i);
            if (!x.equals(y)) return "step " + y.step() + " reported " + x + ", the reference " + y;
        }
        if (aRows.size() != bRows.size()) {
            return "your loop reported " + aRows.size() + " steps to the listener, the reference " + bRows.size();
        }
        String tensor = firstDifferentTensor(Checkpoint.tensors(a), Checkpoint.tensors(b));
        if (tensor != null) return tensor;
        Map<String, String> ma = Checkpoint.metadata(a), mb = Checkpoint.metadata(b);
        for (String key : mb.keySet()) {
            if (!Objects.equals(ma.get(key), mb.get(key))) return "the run's " + key + " differs";
        }
        return null;
    }

    /**
     * Which line is missing, found by trying the library's loop without each line in turn: deterministic runs
     * make "your run equals the loop without zero-grad" an exact statement, not a guess.
     */
    static String diagnosis(TrainingRun yours, TrainConfig config, Corpus corpus) {
        Map<String, TrainingRun> without = new LinkedHashMap<>();
        without.put("zeroes no gradient: call run.zeroGrad() at the start of every step, before the first "
                + "micro-batch", TrainingRun.start(config, Switches.ALL_ON.withoutZeroGrad(), corpus, null));
        without.put("counts every target, <pad> included: pass run.lossMask(b) to the loss and "
                + "run.denominator(micro) as its denominator", TrainingRun.start(config,
                Switches.ALL_ON.withoutLossMask(), corpus, null));
        without.put("never clips: call GradClip.clip(run.parameters(), config.gradClip()) after the finite check "
                + "and before the optimizer step", TrainingRun.start(config.with("grad_clip", 0.0), corpus, null));
        without.put("runs the forward pass without dropout: the training pass is model().forward(idx, real, true, "
                + "run.dropout())", TrainingRun.start(config.with("dropout", 0.0), corpus, null));
        Map<String, INDArray> mine = Checkpoint.tensors(yours);
        for (Map.Entry<String, TrainingRun> e : without.entrySet()) {
            TrainingLoop.run(e.getValue(), TrainingLoop.Listener.NONE);
            if (firstDifferentTensor(mine, Checkpoint.tensors(e.getValue())) == null) {
                return "your loop " + e.getKey() + ".";
            }
        }
        return "compare your step with the library's order: lr = run.lr(); dev loss every eval_every steps; "
                + "run.zeroGrad(); the micro-batches and their one denominator; forward, loss and backward per "
                + "micro-batch inside a StepMemory; run.requireFinite(loss); clip; optimizer step; run.finishStep;"
                + " listener; checkpoint when due.";
    }

    /** The first tensor whose raw bits differ (RunCheck.firstDifferentBits), named with the element; else null. */
    private static String firstDifferentTensor(Map<String, INDArray> a, Map<String, INDArray> b) {
        for (Map.Entry<String, INDArray> e : b.entrySet()) {
            double[] x = Nd.values(a.get(e.getKey())), y = Nd.values(e.getValue());
            int i = RunCheck.firstDifferentBits(x, y);
            if (i >= 0) return "tensor " + e.getKey() + " differs first at element " + i + ": " + x[i] + " vs " + y[i];
        }
        return null;
    }
}
