package minitrain.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitrain.Json;
import minitrain.KitError;

/**
 * A small client for MLflow's REST API (the Java artifact org.mlflow:mlflow-client is not available here).
 * Connection errors, 429 and 5xx are retried with exponential backoff; a 4xx is a one-line error naming the
 * endpoint and MLflow's error_code.
 */
public final class MlflowClient {

    private static final int ATTEMPTS = 4;
    private final String base;
    // HTTP/1.1: the default h2c upgrade header makes some uvicorn versions drop the request body.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public MlflowClient(String trackingUri) {
        this.base = trackingUri.replaceAll("/+$", "");
    }

    public String uri() {
        return base;
    }

    public String experimentId(String name) {
        JsonNode e = getOrNull("experiments/get-by-name?experiment_name=" + enc(name));
        if (e != null) return activeId(e.path("experiment"), name);
        try {
            return post("experiments/create", Map.of("name", name)).path("experiment_id").asText();
        } catch (KitError race) { // created meanwhile by someone else
            JsonNode again = getOrNull("experiments/get-by-name?experiment_name=" + enc(name));
            if (again == null) throw race;
            return activeId(again.path("experiment"), name);
        }
    }

    // A deleted experiment keeps its name, and runs/create refuses it ("must be in the 'active' state");
    // like mlflow.set_experiment, say so instead of silently restoring what someone chose to delete.
    private String activeId(JsonNode experiment, String name) {
        String id = experiment.path("experiment_id").asText();
        if ("deleted".equals(experiment.path("lifecycle_stage").asText())) {
            throw new KitError("MLflow experiment '" + name + "' (id " + id + ") at " + base + " is deleted: restore it"
                    + " in the UI, delete it permanently (mlflow gc), or pass --experiment with another name");
        }
        return id;
    }

    /** {run_id, artifact_uri} of a new run. */
    public JsonNode createRun(String experimentId, String name, Map<String, String> tags) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("experiment_id", experimentId);
        body.put("run_name", name);
        body.put("start_time", System.currentTimeMillis());
        body.put("tags", kv(tags));
        return post("runs/create", body).path("run").path("info");
    }

    /** The runs in the experiment whose tag {@code key} equals {@code value} (a hex digest: nothing to quote): run id to its tags. */
    public Map<String, Map<String, String>> searchRuns(String experimentId, String key, String value) {
        Map<String, Object> body = Map.of("experiment_ids", List.of(experimentId),
                "filter", "tags.`" + key + "` = '" + value + "'", "max_results", 1000);
        Map<String, Map<String, String>> runs = new LinkedHashMap<>();
        for (JsonNode r : post("runs/search", body).path("runs")) {
            Map<String, String> tags = new LinkedHashMap<>();
            for (JsonNode t : r.path("data").path("tags")) tags.put(t.path("key").asText(), t.path("value").asText());
            runs.put(r.path("info").path("run_id").asText(), tags);
        }
        return runs;
    }

    public void logBatch(String runId, List<Map<String, Object>> metrics, Map<String, String> params, Map<String, String> tags) {
        // The API takes at most 1000 metrics, 100 params and 100 tags per call.
        for (int i = 0; i < metrics.size(); i += 1000) {
            post("runs/log-batch", Map.of("run_id", runId, "metrics", metrics.subList(i, Math.min(metrics.size(), i + 1000))));
        }
        List<Map<String, String>> p = kv(params), t = kv(tags);
        for (int i = 0; i < Math.max(p.size(), t.size()); i += 100) {
            post("runs/log-batch", Map.of("run_id", runId, "params", p.subList(Math.min(i, p.size()), Math.min(p.size(), i + 100)),
                    "tags", t.subList(Math.min(i, t.size()), Math.min(t.size(), i + 100))));
        }
    }

    /** Steps already logged for a metric (all pages). */
    public List<Long> metricSteps(String runId, String key) {
        List<Long> steps = new ArrayList<>();
        String token = null;
        do {
            String q = "metrics/get-history?run_id=" + enc(runId) + "&metric_key=" + enc(key) + "&max_results=25000"
                    + (token == null ? "" : "&page_token=" + enc(token));
            JsonNode r = getOrNull(q);
            if (r == null) break;
            for (JsonNode m : r.path("metrics")) steps.add(m.path("step").asLong());
            token = r.hasNonNull("next_page_token") && !r.path("next_page_token").asText().isEmpty() ? r.path("next_page_token").asText() : null;
        } while (token != null);
        return steps;
    }

    public JsonNode run(String runId) {
        return getOrNull("runs/get?run_id=" + enc(runId)).path("run");
    }

    public void uploadArtifact(String experimentId, String runId, String path, byte[] bytes) {
        StringBuilder p = new StringBuilder();
        for (String seg : (experimentId + "/" + runId + "/artifacts/" + path).split("/")) p.append('/').append(enc(seg));
        send(HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts" + p))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).timeout(Duration.ofSeconds(60)).build(), "artifacts " + path);
    }

    public void finish(String runId, String status) {
        post("runs/update", Map.of("run_id", runId, "status", status, "end_time", System.currentTimeMillis()));
    }

    // ---- HTTP ----------------------------------------------------------------------------------------

    private JsonNode post(String endpoint, Object body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow/" + endpoint))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(Json.compact(body))).build();
        return send(req, endpoint);
    }

    /** GET; a 404 RESOURCE_DOES_NOT_EXIST is "none" (null), not an error. */
    private JsonNode getOrNull(String endpointAndQuery) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow/" + endpointAndQuery))
                .timeout(Duration.ofSeconds(30)).GET().build();
        try {
            return send(req, endpointAndQuery.replaceFirst("\\?.*", ""));
        } catch (NotFound e) {
            return null;
        }
    }

    /** A 404 for a lookup: "there is none", which the callers turn into null. */
    private static final class NotFound extends RuntimeException {
        NotFound(String m) {
            super(m);
        }
    }

    private JsonNode send(HttpRequest req, String endpoint) {
        long wait = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                int code = r.statusCode();
                if (code == 200) return r.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(r.body());
                String errorCode = errorCode(r.body());
                if (code == 404 && "RESOURCE_DOES_NOT_EXIST".equals(errorCode)) throw new NotFound(endpoint + " not found");
                boolean retry = code == 429 || (code >= 500 && !"INVALID_STATE".equals(errorCode));
                if (!retry || attempt == ATTEMPTS) {
                    throw new KitError("MLflow " + endpoint + " answered HTTP " + code + " " + errorCode + ": "
                            + message(r.body()));
                }
            } catch (ConnectException e) {
                if (attempt == ATTEMPTS) {
                    throw new KitError("cannot reach MLflow at " + base + " (connection refused): start it with 'make mlflow'"
                            + " or set MLFLOW_TRACKING_URI; the manifest is unchanged and rerunning completes the sync");
                }
            } catch (IOException e) {
                if (attempt == ATTEMPTS) throw new KitError("MLflow " + endpoint + " at " + base + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KitError("interrupted while talking to MLflow");
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KitError("interrupted while talking to MLflow");
            }
            wait *= 2;
        }
    }

    private static String errorCode(String body) {
        try {
            return Json.MAPPER.readTree(body).path("error_code").asText("");
        } catch (IOException e) {
            return ""; // some errors are plain text
        }
    }

    private static String message(String body) {
        try {
            String m = Json.MAPPER.readTree(body).path("message").asText(body);
            return m.lines().findFirst().orElse("");
        } catch (IOException e) {
            return body.lines().findFirst().orElse("");
        }
    }

    private static List<Map<String, String>> kv(Map<String, String> m) {
        List<Map<String, String>> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(Map.of("key", k, "value", v)));
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
