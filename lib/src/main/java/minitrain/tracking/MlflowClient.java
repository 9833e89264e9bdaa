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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import minitrain.Json;
import minitrain.KitError;

/**
 * A small client for MLflow's REST API (the Java artifact org.mlflow:mlflow-client is not available here).
 * Connection errors, 429 and 5xx are retried with exponential backoff; a 4xx is a one-line error naming the
 * endpoint and MLflow's error_code. A teacher's server with logins gets the credentials MLflow's own clients read
 * from the environment ({@link Credentials}); a 401, a 403 or an untrusted certificate is one line saying what to set.
 */
public final class MlflowClient {

    private static final int ATTEMPTS = 4;
    private final String base;
    private final Credentials credentials;
    private final String authorization;
    private final HttpClient http;
    // Experiment names by id, so that a refusal can name the experiment the learner knows by name.
    private final Map<String, String> experimentNames = new HashMap<>();

    /** A client that logs in with what the environment says (nothing set: no login, as for the kit's own server). */
    public MlflowClient(String trackingUri) {
        this(trackingUri, Credentials.fromEnvironment());
    }

    public MlflowClient(String trackingUri, Credentials credentials) {
        this.base = trackingUri.replaceAll("/+$", "");
        this.credentials = credentials;
        this.authorization = credentials.authorization();
        // HTTP/1.1: the default h2c upgrade header makes some uvicorn versions drop the request body.
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        SSLContext tls = base.regionMatches(true, 0, "https:", 0, 6) ? credentials.sslContext() : null;
        this.http = (tls == null ? b : b.sslContext(tls)).build();
    }

    public String uri() {
        return base;
    }

    /** The learner's name on a server with logins (MLFLOW_TRACKING_USERNAME), or null. */
    public String user() {
        return credentials.user();
    }

    public String experimentId(String name) {
        String byName = "experiments/get-by-name?experiment_name=" + enc(name);
        String reading = "read experiment '" + name + "'";
        JsonNode e = getOrNull(byName, reading);
        if (e != null) return activeId(e.path("experiment"), name);
        try {
            String id = post("experiments/create", Map.of("name", name)).path("experiment_id").asText();
            experimentNames.put(id, name);
            return id;
        } catch (KitError race) { // created meanwhile by someone else
            JsonNode again = getOrNull(byName, reading);
            if (again == null) throw race;
            return activeId(again.path("experiment"), name);
        }
    }

    // A deleted experiment keeps its name, and runs/create refuses it ("must be in the 'active' state");
    // like mlflow.set_experiment, say so instead of silently restoring what someone chose to delete.
    private String activeId(JsonNode experiment, String name) {
        String id = experiment.path("experiment_id").asText();
        experimentNames.put(id, name);
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
        // As MLflow's Python client does: the run's (deprecated) user_id field repeats the mlflow.user tag.
        if (tags.containsKey(Sync.USER_TAG)) body.put("user_id", tags.get(Sync.USER_TAG));
        return post("runs/create", body).path("run").path("info");
    }

    /**
     * The runs in the experiment whose tag {@code key} equals {@code value} (a hex digest: nothing to quote):
     * run id to its tags.
     */
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

    public void logBatch(String runId, List<Map<String, Object>> metrics, Map<String, String> params,
                         Map<String, String> tags) {
        // The API takes at most 1000 metrics, 100 params and 100 tags per call.
        for (int i = 0; i < metrics.size(); i += 1000) {
            List<Map<String, Object>> chunk = metrics.subList(i, Math.min(metrics.size(), i + 1000));
            post("runs/log-batch", Map.of("run_id", runId, "metrics", chunk));
        }
        List<Map<String, String>> p = kv(params), t = kv(tags);
        for (int i = 0; i < Math.max(p.size(), t.size()); i += 100) {
            post("runs/log-batch", Map.of("run_id", runId,
                    "params", p.subList(Math.min(i, p.size()), Math.min(p.size(), i + 100)),
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
            JsonNode r = getOrNull(q, "read run " + runId);
            if (r == null) break;
            for (JsonNode m : r.path("metrics")) steps.add(m.path("step").asLong());
            String next = r.path("next_page_token").asText("");
            token = r.hasNonNull("next_page_token") && !next.isEmpty() ? next : null;
        } while (token != null);
        return steps;
    }

    /** A metric's whole history as logged, in the server's order: one {step, value} pair per point (all pages). */
    public List<double[]> metricHistory(String runId, String key) {
        List<double[]> points = new ArrayList<>();
        String token = null;
        do {
            String q = "metrics/get-history?run_id=" + enc(runId) + "&metric_key=" + enc(key) + "&max_results=25000"
                    + (token == null ? "" : "&page_token=" + enc(token));
            JsonNode r = getOrNull(q, "read run " + runId);
            if (r == null) break;
            for (JsonNode m : r.path("metrics")) {
                points.add(new double[] {m.path("step").asLong(), m.path("value").asDouble()});
            }
            String next = r.path("next_page_token").asText("");
            token = r.hasNonNull("next_page_token") && !next.isEmpty() ? next : null;
        } while (token != null);
        return points;
    }

    /** The files under a run's artifact folder {@code dir} (through the server's proxy): path to size in bytes. */
    public Map<String, Long> artifacts(String experimentId, String runId, String dir) {
        String path = experimentId + "/" + runId + "/artifacts/" + dir;
        HttpRequest req = request(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts?path=" + enc(path)))
                .timeout(Duration.ofSeconds(30)).GET().build();
        Map<String, Long> files = new LinkedHashMap<>();
        JsonNode r;
        try {
            r = send(req, "artifacts", "read run " + runId);
        } catch (NotFound e) {
            return files;
        }
        for (JsonNode f : r.path("files")) {
            if (f.path("is_dir").asBoolean()) continue;
            files.put(dir + "/" + f.path("path").asText(), f.path("file_size").asLong());
        }
        return files;
    }

    public JsonNode run(String runId) {
        return getOrNull("runs/get?run_id=" + enc(runId), "read run " + runId).path("run");
    }

    public void uploadArtifact(String experimentId, String runId, String path, byte[] bytes) {
        StringBuilder p = new StringBuilder();
        for (String seg : (experimentId + "/" + runId + "/artifacts/" + path).split("/")) {
            p.append('/').append(enc(seg));
        }
        send(request(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts" + p))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).timeout(Duration.ofSeconds(60)).build(),
                "artifacts " + path, "upload files to run " + runId);
    }

    public void finish(String runId, String status) {
        post("runs/update", Map.of("run_id", runId, "status", status, "end_time", System.currentTimeMillis()));
    }

    // ---- HTTP ----------------------------------------------------------------------------------------

    private JsonNode post(String endpoint, Map<String, ?> body) {
        HttpRequest req = request(URI.create(base + "/api/2.0/mlflow/" + endpoint))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(Json.compact(body))).build();
        return send(req, endpoint, action(endpoint, body));
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    /** What a refused request was trying to do, in the learner's words (for the 403 line). */
    private String action(String endpoint, Map<String, ?> body) {
        Object exp = body.get("experiment_id"), run = body.get("run_id"), ids = body.get("experiment_ids");
        if (exp == null && ids instanceof List<?> l && !l.isEmpty()) exp = l.get(0);
        if (endpoint.equals("experiments/create")) return "create experiment '" + body.get("name") + "'";
        if (exp != null) {
            String name = experimentNames.get(exp.toString());
            String which = "experiment " + (name == null ? exp : "'" + name + "' (id " + exp + ")");
            return (endpoint.equals("runs/create") ? "create runs in " : "read ") + which;
        }
        if (run == null) return "call " + endpoint;
        boolean writes = endpoint.equals("runs/log-batch") || endpoint.equals("runs/update");
        return (writes ? "write to run " : "read run ") + run;
    }

    /** GET; a 404 RESOURCE_DOES_NOT_EXIST is "none" (null), not an error. */
    private JsonNode getOrNull(String endpointAndQuery, String action) {
        HttpRequest req = request(URI.create(base + "/api/2.0/mlflow/" + endpointAndQuery))
                .timeout(Duration.ofSeconds(30)).GET().build();
        String endpoint = endpointAndQuery.replaceFirst("\\?.*", "");
        try {
            return send(req, endpoint, action);
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

    private JsonNode send(HttpRequest req, String endpoint, String action) {
        long wait = 500;
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                int code = r.statusCode();
                if (code == 200) {
                    return r.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(r.body());
                }
                String errorCode = errorCode(r.body());
                if (code == 404 && "RESOURCE_DOES_NOT_EXIST".equals(errorCode)) {
                    throw new NotFound(endpoint + " not found");
                }
                // A login problem is not transient: say which variable to set. The manifest is written last, and the
                // sync sends only what the run lacks, so rerunning with the right login loses and duplicates nothing.
                if (code == 401) throw new KitError(credentials.unauthorized(base) + "; then rerun: nothing was lost");
                if (code == 403 && r.body().startsWith("Invalid Host header")) {
                    // MLflow's security middleware, not a permission: the server refuses the name it was reached by.
                    throw new KitError("MLflow at " + base + " refused the address it was reached by (HTTP 403 "
                            + message(r.body()) + "): whoever runs it must add " + req.uri().getAuthority()
                            + " to MLFLOW_SERVER_ALLOWED_HOSTS (or --allowed-hosts)");
                }
                if (code == 403) {
                    throw new KitError("MLflow at " + base + " does not let " + credentials.who() + " " + action
                            + " (HTTP 403 " + message(r.body()) + "): ask whoever runs it (your teacher) for EDIT"
                            + " permission there, or sync to an experiment of your own with --experiment NAME");
                }
                boolean retry = code == 429 || (code >= 500 && !"INVALID_STATE".equals(errorCode));
                if (!retry || attempt == ATTEMPTS) {
                    throw new KitError("MLflow " + endpoint + " answered HTTP " + code + " " + errorCode + ": "
                            + message(r.body()));
                }
            } catch (SSLException e) {
                // Not retried: a certificate does not become trusted by asking again.
                String why = firstLine(e.getMessage());
                if (why.matches("(?i).*(PKIX|certificat|subject alternative|no name matching).*")) {
                    throw new KitError(credentials.untrusted(base) + " (" + why + ")");
                }
                throw new KitError("MLflow at " + base + ": the https connection failed (" + why + ")");
            } catch (ConnectException e) {
                if (attempt == ATTEMPTS) {
                    throw new KitError("cannot reach MLflow at " + base
                            + " (connection refused): start it with 'make mlflow' or set MLFLOW_TRACKING_URI;"
                            + " the manifest is unchanged and rerunning completes the sync");
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

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
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
