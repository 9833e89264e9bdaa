package minitrain.tracking;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import minitrain.Exercise;

/**
 * Lab 04's check: does the learner's MLflow run hold what {@link Sync} logs for the same model? Like
 * {@link Exercise#check} it returns "correct: ...", "not answered yet: ..." (no run) or "not right yet: ..." naming
 * the first thing that differs and the line most likely to fix; it never throws.
 */
public final class SyncCheck {

    private SyncCheck() {}

    public static String sameRun(String name, RunView mine, RunView reference) {
        if (mine == null) return Exercise.notAnswered(name);
        try {
            String d = firstDifference(mine, reference);
            if (d != null) return "not right yet: " + name + ": " + d;
            return String.format("correct: %s gives Sync's run: %d params, %d tags, %d metric points in %d histories,"
                    + " %d artifacts, %s", name, mine.params().size(), mine.tags().size(), mine.points(),
                    mine.metrics().size(), mine.artifacts().size(), mine.status());
        } catch (RuntimeException e) { // a half-built answer (a null map...) is a wrong answer, not a crash
            return "not right yet: " + name + ": the run could not be compared (" + e + ")";
        }
    }

    private static String firstDifference(RunView mine, RunView ref) {
        String d = firstDifferent("tag", mine.tags(), ref.tags(),
                "the tags come from the manifest (git_commit, corpus_sha256, model_sha256, kit_version, val_ppl,"
                + " baseline_val_ppl) and the run's key (Sync.KEY_TAG, Sync.RUN_DIR_TAG) given to createRun");
        if (d != null) return d;
        d = firstDifferent("param", mine.params(), ref.params(),
                "flatten train_config into dotted keys (model.n_embd...), then add seed and parameters");
        if (d != null) return d;
        for (String key : new TreeSet<>(union(mine.metrics().keySet(), ref.metrics().keySet()))) {
            List<double[]> a = mine.metrics().getOrDefault(key, List.of());
            List<double[]> b = ref.metrics().getOrDefault(key, List.of());
            if (a.size() > b.size()) {
                return "metric " + key + " has " + a.size() + " points, Sync's run " + b.size() + ": points were sent"
                        + " twice; before sending, skip the steps the run already has (client.metricSteps)";
            }
            if (a.size() < b.size()) {
                return "metric " + key + " has " + a.size() + " points, Sync's run " + b.size() + ": send every"
                        + " non-empty value of its metrics.csv column, in batches of at most 1000";
            }
            for (int i = 0; i < a.size(); i++) {
                double[] p = a.get(i), q = b.get(i);
                if (p[0] != q[0] || Double.doubleToLongBits(p[1]) != Double.doubleToLongBits(q[1])) {
                    return String.format("metric %s differs first at its point %d: step %d value %s where Sync's has"
                            + " step %d value %s; the step is the csv's step column, the value Double.parseDouble of"
                            + " the field", key, i, (long) p[0], p[1], (long) q[0], q[1]);
                }
            }
        }
        d = firstDifferent("artifact", mine.artifacts(), ref.artifacts(),
                "upload the model and its manifest under model/, and the run folder's png, svg, csv and json files"
                + " under run/, each under its own file name");
        if (d != null) return d;
        if (!Objects.equals(mine.status(), ref.status())) {
            return "the run is " + mine.status() + ", Sync's " + ref.status() + ": end with client.finish(runId,"
                    + " \"FINISHED\")";
        }
        return null;
    }

    private static <V> String firstDifferent(String what, Map<String, V> mine, Map<String, V> ref, String hint) {
        for (String key : new TreeSet<>(union(mine.keySet(), ref.keySet()))) {
            V a = mine.get(key), b = ref.get(key);
            if (Objects.equals(a, b)) continue;
            if (a == null) return "no " + what + " " + key + " (Sync's run has " + b + "); " + hint;
            if (b == null) return what + " " + key + " = " + a + " is not in Sync's run; " + hint;
            return what + " " + key + " = " + a + " where Sync's run has " + b + "; " + hint;
        }
        return null;
    }

    private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        TreeSet<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
