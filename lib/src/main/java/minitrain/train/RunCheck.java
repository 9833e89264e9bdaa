package minitrain.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import minitrain.Exercise;
import minitrain.autograd.Nd;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Lab 02's checks: is the learner's result the reference's, bit for bit? Like {@link Exercise#check} they return
 * "correct: ...", "not answered yet: ..." (the answer is null) or "not right yet: ..." naming the first value
 * that differs and the part of the run most likely responsible; they never throw.
 *
 * <p>Bits, not {@code ==}: {@code ==} on doubles says NaN differs from itself and -0.0 equals 0.0, so it would
 * fail a perfect copy that holds a NaN and pass a copy that lost a sign. Two doubles are the same value here
 * when their 64 raw bits are ({@link Double#doubleToRawLongBits}, which also keeps a NaN's payload).
 */
public final class RunCheck {

    private RunCheck() {}

    /** The first index where the two arrays' raw bits differ; the shorter length if one is a prefix; -1 if equal. */
    public static int firstDifferentBits(double[] a, double[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) return i;
        }
        return a.length == b.length ? -1 : n;
    }

    /** Whether {@code mine} holds the reference's values bit for bit. */
    public static String sameBits(String name, double[] mine, double[] reference, String hint) {
        if (mine == null) return Exercise.notAnswered(name);
        if (mine.length != reference.length) {
            return "not right yet: " + name + " gives " + mine.length + " values, the reference " + reference.length
                    + ". " + hint;
        }
        int i = firstDifferentBits(mine, reference);
        if (i >= 0) return "not right yet: " + name + " differs first at element " + i + ": " + show(mine[i])
                + " where the reference has " + show(reference[i]) + ". " + hint;
        return "correct: " + name + " gives the reference's " + reference.length + " values, bit for bit";
    }

    /**
     * Whether a run is in the reference run's state, bit for bit: its step, then every checkpoint tensor (the
     * weights, then AdamW's moments, {@link Checkpoint#tensors}), then every metadata value
     * ({@link Checkpoint#metadata}: data order, dropout generator, configs, ...).
     */
    public static String sameState(String name, TrainingRun mine, TrainingRun reference) {
        if (mine == null) return Exercise.notAnswered(name);
        return sameState(name, Checkpoint.tensors(mine), Checkpoint.metadata(mine), Checkpoint.tensors(reference),
                Checkpoint.metadata(reference));
    }

    /** {@link #sameState(String, TrainingRun, TrainingRun)} on a state already read out of the runs. */
    public static String sameState(String name, Map<String, INDArray> mine, Map<String, String> mineMeta,
                                   Map<String, INDArray> reference, Map<String, String> referenceMeta) {
        if (mine == null || mineMeta == null) return Exercise.notAnswered(name);
        // The hint comes from the run's state numbers: a weight that differs says little on its own, the
        // part whose number differs says which part was not restored (or which run went further).
        String hint = likelyCause(mineMeta, referenceMeta);
        String step = referenceMeta.get("step");
        if (!Objects.equals(mineMeta.get("step"), step)) {
            return "not right yet: " + name + " stops at step " + mineMeta.get("step") + ", the reference at step "
                    + step
                    + ". " + hint;
        }
        for (Map.Entry<String, INDArray> e : reference.entrySet()) {
            String tensor = e.getKey();
            INDArray want = e.getValue(), got = mine.get(tensor);
            if (got == null) return "not right yet: " + name + " has no tensor " + tensor + ". " + hint;
            if (!Arrays.equals(got.shape(), want.shape())) {
                return "not right yet: " + name + "'s " + tensor + " has shape " + Arrays.toString(got.shape())
                        + ", the reference " + Arrays.toString(want.shape()) + ". " + hint;
            }
            double[] x = Nd.values(got), y = Nd.values(want);
            int i = firstDifferentBits(x, y);
            if (i >= 0) {
                return "not right yet: " + name + " differs first in " + tensor + " at element "
                        + Arrays.toString(index(i, want.shape())) + ": " + show(x[i]) + " where the reference has "
                        + show(y[i]) + ". " + hint;
            }
        }
        for (String tensor : mine.keySet()) {
            if (!reference.containsKey(tensor)) return "not right yet: " + name + " has a tensor the reference lacks: "
                    + tensor + ". " + hint;
        }
        for (Map.Entry<String, String> e : referenceMeta.entrySet()) {
            if (!Objects.equals(mineMeta.get(e.getKey()), e.getValue())) {
                return "not right yet: " + name + "'s metadata \"" + e.getKey() + "\" is " + mineMeta.get(e.getKey())
                        + ", the reference's " + e.getValue() + ". " + hint;
            }
        }
        long values = 0;
        for (INDArray a : reference.values()) values += a.length();
        return "correct: " + name + " gives the reference's state at step " + step + ": " + reference.size()
                + " tensors (weights and AdamW moments, " + values + " values) and " + referenceMeta.size()
                + " metadata values, bit for bit";
    }

    /** The run's part whose state numbers differ first, as a hint pointing at what to restore or run. */
    static String likelyCause(Map<String, String> mine, Map<String, String> reference) {
        if (differs(mine, reference, "step")) {
            // Every other number follows the step (a run that stopped early is behind in all of them): one hint.
            return "Where the runs part ways: the step. Was the run trained to the end (TrainingLoop.run goes on until "
                    + "the run is finished(), at max_steps)? Is Checkpoint.Part.STEP in the set of parts you restore?";
        }
        List<String> parts = new ArrayList<>();
        if (differs(mine, reference, "optimizer_step")) parts.add("AdamW's moments (Checkpoint.Part.MOMENTS)");
        if (differs(mine, reference, "data_epoch") || differs(mine, reference, "data_position")
                || differs(mine, reference, "data_epoch_rng")) {
            parts.add("the data order (Checkpoint.Part.DATA_ORDER)");
        }
        if (differs(mine, reference, "dropout_rng")) parts.add("the dropout generator (Checkpoint.Part.DROPOUT_RNG)");
        if (differs(mine, reference, "train_config") || differs(mine, reference, "config")) {
            parts.add("the config (both runs must be trained with the same one)");
        }
        if (parts.isEmpty()) {
            return "Every state number agrees, so look at the weights themselves: were both runs trained from the same "
                    + "checkpoint, in the same way (TrainingLoop.run, not a loop of your own)?";
        }
        return "Where the runs part ways: " + String.join("; ", parts)
                + ". Restore every part with Checkpoint.load(file, corpus), or check the set of parts you pass.";
    }

    private static boolean differs(Map<String, String> a, Map<String, String> b, String key) {
        return !Objects.equals(a.get(key), b.get(key));
    }

    /** A flat C-order index as one index per dimension. */
    private static long[] index(long flat, long[] shape) {
        long[] at = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = flat % shape[d];
            flat /= shape[d];
        }
        return at;
    }

    private static String show(double x) {
        return x + " (bits 0x" + Long.toHexString(Double.doubleToRawLongBits(x)) + ")";
    }
}
