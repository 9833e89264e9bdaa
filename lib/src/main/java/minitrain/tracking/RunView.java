package minitrain.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What an MLflow run holds, read back from its server: what lab 04 compares between the learner's sync and
 * {@link Sync}'s. Timestamps and the run's id, name and times are left out (they differ between any two syncs);
 * everything the files decide is in.
 *
 * @param params    every param, by key
 * @param tags      the tags the sync chose: MLflow's own ({@code mlflow.*}) are left out, except {@code mlflow.user}
 * @param metrics   each metric's history as {step, value} points, sorted by step (a duplicated point stays in)
 * @param artifacts every file under the run's {@code model/} and {@code run/} artifact folders, with its size
 * @param status    FINISHED, RUNNING, ...
 */
public record RunView(Map<String, String> params, Map<String, String> tags, Map<String, List<double[]>> metrics,
                      Map<String, Long> artifacts, String status) {

    /** The run as its server has it now. */
    public static RunView read(MlflowClient client, String runId) {
        JsonNode run = client.run(runId);
        String expId = run.path("info").path("experiment_id").asText();
        Map<String, String> params = new TreeMap<>();
        for (JsonNode p : run.path("data").path("params")) params.put(p.path("key").asText(), p.path("value").asText());
        Map<String, String> tags = new TreeMap<>();
        for (JsonNode t : run.path("data").path("tags")) {
            String key = t.path("key").asText();
            if (!key.startsWith("mlflow.") || key.equals(Sync.USER_TAG)) tags.put(key, t.path("value").asText());
        }
        Map<String, List<double[]>> metrics = new TreeMap<>();
        for (JsonNode m : run.path("data").path("metrics")) {
            String key = m.path("key").asText();
            List<double[]> points = new ArrayList<>(client.metricHistory(runId, key));
            // The server's order is not the logging order; by step, then value, two histories compare point by point.
            points.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
            metrics.put(key, points);
        }
        Map<String, Long> artifacts = new TreeMap<>();
        for (String dir : List.of("model", "run")) artifacts.putAll(client.artifacts(expId, runId, dir));
        return new RunView(params, tags, metrics, artifacts, run.path("info").path("status").asText());
    }

    /** How many metric points the run holds, all keys together. */
    public int points() {
        return metrics.values().stream().mapToInt(List::size).sum();
    }
}
