package minitrain.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import minitrain.Json;
import minitrain.KitError;
import minitrain.checkpoint.AtomicFiles;
import minitrain.checkpoint.PublishedModel;
import minitrain.corpus.Corpus;

/**
 * Logs a published model and its run to MLflow, from the files training already wrote: MLflow wraps the
 * manifest, it does not replace it. Safe to rerun: the MLflow run is found again by the model's sha256
 * and its run folder, and only metric points not yet there are sent, so an interrupted sync completes without
 * duplicates.
 */
public final class Sync {

    public static final String KEY_TAG = "minitrain.model_sha256";
    public static final String RUN_DIR_TAG = "minitrain.run_dir";
    /** MLflow's own tag for who made the run: its UI shows it as the run's User column. */
    public static final String USER_TAG = "mlflow.user";
    static final List<String> METRICS = List.of("train_loss", "dev_loss", "lr", "grad_norm", "tokens_per_s");

    public record Result(String experimentId, String runId, String runUrl, int metricPointsSent,
                         int metricPointsKept) {}

    private Sync() {}

    public static Result sync(MlflowClient client, Path modelFile, Path kitRoot, String experiment) {
        Path manifestFile = PublishedModel.manifestFor(modelFile);
        ObjectNode manifest = readManifest(manifestFile);
        String sha = manifest.path("sha256").asText();
        // The run is keyed by this sha256: a model file that no longer matches would be filed under the wrong run.
        if (!Files.isRegularFile(modelFile) || !Corpus.sha256(modelFile).equals(sha)) {
            throw KitError.in(modelFile, "missing, or its sha256 differs from " + manifestFile.getFileName()
                    + ": not synced");
        }
        String runDirName = manifest.path("run_dir").asText(".");
        Path runDir = kitRoot.resolve(runDirName);
        String expId = client.experimentId(experiment);
        // One MLflow run per training run. Training is deterministic, so the same seed and config trained
        // again give the same model bytes from another run folder: keyed by the bytes alone, that second run's
        // timings would be dropped as "already there" while its files replaced the first run's.
        // In a class the same holds across learners: the same seed and config in the same relative run folder, so
        // the run is also keyed by who made it (no user: the single-learner kit, whose runs carry no mlflow.user).
        String user = client.user();
        String runId = client.searchRuns(expId, KEY_TAG, sha).entrySet().stream()
                .filter(run -> runDirName.equals(run.getValue().get(RUN_DIR_TAG)))
                .filter(run -> Objects.equals(user, run.getValue().get(USER_TAG)))
                .map(Map.Entry::getKey).findFirst().orElse(null);
        if (runId == null) {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(KEY_TAG, sha);
            tags.put(RUN_DIR_TAG, runDirName);
            if (user != null) tags.put(USER_TAG, user);
            // The learner's name in the run's name too: the class's runs are told apart in MLflow's run list.
            String runName = "minigpt-phase18-" + sha.substring(0, 12) + (user == null ? "" : "-" + user);
            runId = client.createRun(expId, runName, tags).path("run_id").asText();
        }
        // Params and tags: logging the same value again is allowed, so a rerun may send them again.
        Map<String, String> params = new LinkedHashMap<>();
        flatten("", manifest.path("train_config"), params);
        params.put("seed", manifest.path("seed").asText());
        params.put("parameters", manifest.path("parameters").asText());
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("git_commit", manifest.path("git_commit").asText());
        tags.put("corpus_sha256", manifest.path("corpus_sha256").asText());
        tags.put("model_sha256", sha);
        tags.put("kit_version", manifest.path("kit_version").asText());
        tags.put("val_ppl", manifest.path("metrics").path("val_ppl").asText());
        tags.put("baseline_val_ppl", manifest.path("metrics").path("baseline_val_ppl").asText());
        client.logBatch(runId, List.of(), params, tags);
        int[] counts = logMetrics(client, runId, runDir.resolve("metrics.csv"));
        upload(client, expId, runId, modelFile, "model/" + modelFile.getFileName());
        upload(client, expId, runId, manifestFile, "model/" + manifestFile.getFileName());
        for (Path f : runFiles(runDir)) upload(client, expId, runId, f, "run/" + f.getFileName());
        client.finish(runId, "FINISHED");
        String url = client.uri() + "/#/experiments/" + expId + "/runs/" + runId;
        ObjectNode m = manifest.putObject("mlflow");
        m.put("tracking_uri", client.uri());
        m.put("experiment_id", expId);
        m.put("run_id", runId);
        m.put("run_url", url);
        AtomicFiles.writeString(manifestFile, Json.pretty(manifest));
        return new Result(expId, runId, url, counts[0], counts[1]);
    }

    /** Sends the points of metrics.csv that the run does not have yet; returns {sent, already there}. */
    static int[] logMetrics(MlflowClient client, String runId, Path csv) {
        if (!Files.exists(csv)) return new int[] {0, 0};
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw KitError.in(csv, "cannot read: " + e.getMessage());
        }
        String[] header = lines.get(0).split(",", -1);
        Map<String, Set<Long>> have = new LinkedHashMap<>();
        for (String key : METRICS) have.put(key, new HashSet<>(client.metricSteps(runId, key)));
        List<Map<String, Object>> points = new ArrayList<>();
        long now = System.currentTimeMillis();
        int kept = 0;
        for (int n = 1; n < lines.size(); n++) {
            if (lines.get(n).isBlank()) continue;
            String[] f = lines.get(n).split(",", -1);
            if (f.length != header.length) throw KitError.at(csv, n + 1, "expected " + header.length + " fields");
            long step = Long.parseLong(f[0]);
            for (int k = 1; k < header.length; k++) {
                if (!have.containsKey(header[k]) || f[k].isEmpty()) continue;
                if (have.get(header[k]).contains(step)) { kept++; continue; }
                points.add(Map.of("key", header[k], "value", Double.parseDouble(f[k]), "timestamp", now, "step", step));
            }
        }
        client.logBatch(runId, points, Map.of(), Map.of());
        return new int[] {points.size(), kept};
    }

    private static List<Path> runFiles(Path runDir) {
        if (!Files.isDirectory(runDir)) return List.of();
        try (Stream<Path> s = Files.list(runDir)) {
            return s.filter(p -> p.toString().matches(".*\\.(png|svg|csv|json)$")).sorted().toList();
        } catch (IOException e) {
            throw KitError.in(runDir, "cannot list: " + e.getMessage());
        }
    }

    private static void upload(MlflowClient client, String expId, String runId, Path file, String path) {
        try {
            client.uploadArtifact(expId, runId, path, Files.readAllBytes(file));
        } catch (IOException e) {
            throw KitError.in(file, "cannot read: " + e.getMessage());
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) flatten(prefix + e.getKey() + ".", e.getValue(), out);
            else out.put(prefix + e.getKey(), e.getValue().asText());
        }
    }

    /**
     * The published model a track argument names: the .safetensors itself, its .json manifest, or a run folder
     * that exactly one manifest in {@code <kit root>/models} gives as its run_dir (the sync is keyed by the
     * model's sha256, so a run folder that was never published has nothing to key it by).
     */
    public static Path modelFor(Path arg, Path kitRoot) {
        Path a = arg.toAbsolutePath().normalize();
        if (a.toString().endsWith(".json")) return a.resolveSibling(readManifest(a).path("file").asText(""));
        if (!Files.isDirectory(a)) return a;
        List<Path> models = new ArrayList<>();
        try (Stream<Path> s = Files.list(kitRoot.resolve("models"))) {
            for (Path m : s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                JsonNode j;
                try {
                    j = Json.MAPPER.readTree(Files.readString(m));
                } catch (IOException e) {
                    continue; // not a manifest (models/README.md is skipped by its name; this is any other json)
                }
                Path named = kitRoot.resolve(j.path("run_dir").asText()).toAbsolutePath().normalize();
                if (j.hasNonNull("run_dir") && named.equals(a)) {
                    models.add(m.resolveSibling(j.path("file").asText("")));
                }
            }
        } catch (IOException e) {
            throw KitError.in(kitRoot.resolve("models"), "cannot list: " + e.getMessage());
        }
        if (models.size() == 1) return models.get(0);
        throw KitError.in(a, models.isEmpty()
                ? "no manifest in " + kitRoot.resolve("models")
                        + " has this run_dir: publish the run first, or pass the model file"
                : models.size() + " published models come from this run folder: pass the model file");
    }

    private static ObjectNode readManifest(Path manifestFile) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(Files.readString(manifestFile));
        } catch (IOException | ClassCastException e) {
            throw KitError.in(manifestFile, "cannot read the model's manifest");
        }
    }

    /** MLFLOW_TRACKING_URI, else the option, else the URI the kit's local server wrote; else an error. */
    public static String trackingUri(String option, Path kitRoot) {
        String env = System.getenv("MLFLOW_TRACKING_URI");
        if (env != null && !env.isBlank()) return httpOnly(env, "MLFLOW_TRACKING_URI");
        if (option != null) return httpOnly(option, "--tracking-uri");
        Path written = kitRoot.resolve("mlruns/server.uri");
        try {
            if (Files.exists(written)) return httpOnly(Files.readString(written).trim(), written.toString());
        } catch (IOException e) {
            // fall through to the error below
        }
        throw new KitError("no MLflow server: start one with 'make mlflow', pass --tracking-uri,"
                + " or set MLFLOW_TRACKING_URI");
    }

    // MLflow also accepts sqlite:/file:/databricks URIs in Python; this client only speaks to a server's REST API.
    // A password inside the URI would be copied into the manifest and the report with it: refused, without echoing it.
    private static String httpOnly(String uri, String from) {
        if (uri.matches("(?i)https?://[^/\\s@]*@.*")) {
            throw new KitError(from + " has a login in it (" + uri.replaceFirst("//[^/]*@", "//***@") + "): put it in "
                    + Credentials.USERNAME + " and " + Credentials.PASSWORD + " instead, which are never written down");
        }
        if (uri.matches("(?i)https?://[^/\\s]+.*")) return uri;
        throw new KitError(from + " = '" + uri + "': the kit logs to an MLflow server, so it needs http://HOST:PORT");
    }
}
