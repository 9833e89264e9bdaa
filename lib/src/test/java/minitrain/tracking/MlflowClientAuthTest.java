package minitrain.tracking;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import minitrain.KitError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What goes over the wire and what the learner reads, against stand-in servers on loopback (the real MLflow server
 * with logins is exercised by tests/test_mlflow_auth.py): the Authorization header, a 401 and a 403 as one line that
 * names what to do and holds no secret, and https with MLFLOW_TRACKING_SERVER_CERT_PATH / MLFLOW_TRACKING_INSECURE_TLS
 * against a certificate made for the test by keytool.
 */
class MlflowClientAuthTest {

    private static final String USER = "MLFLOW_TRACKING_USERNAME", PASS = "MLFLOW_TRACKING_PASSWORD";
    private static final String TOK = "MLFLOW_TRACKING_TOKEN", INSECURE = "MLFLOW_TRACKING_INSECURE_TLS";
    private static final String CERT = "MLFLOW_TRACKING_SERVER_CERT_PATH";

    private static final String PASSWORD = "s3cret-pass-word", TOKEN = "tok-0123456789";
    private static final String EXPERIMENT =
            "{\"experiment\":{\"experiment_id\":\"7\",\"lifecycle_stage\":\"active\"}}";

    /** A stand-in that answers every request with (status, body) and records the Authorization headers. */
    private static final class StandIn implements AutoCloseable {
        final HttpServer server;
        final List<String> authorizations = new CopyOnWriteArrayList<>();

        StandIn(HttpServer server, int status, String body) {
            this.server = server;
            server.createContext("/", ex -> answer(ex, status, body));
            server.start();
        }

        private void answer(HttpExchange ex, int status, String body) throws IOException {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "none" : auth);
            try (InputStream in = ex.getRequestBody()) {
                in.readAllBytes();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        }

        String uri(String scheme) {
            return scheme + "://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static StandIn http(int status, String body) throws IOException {
        return new StandIn(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), status, body);
    }

    private static Credentials creds(Path home, String... kv) {
        Map<String, String> env = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) env.put(kv[i], kv[i + 1]);
        return Credentials.from(env, home);
    }

    private static void assertOneLineWithoutSecrets(String message) {
        assertFalse(message.contains("\n"), message);
        assertFalse(message.contains(PASSWORD) || message.contains(TOKEN), message);
        assertFalse(message.contains(Base64.getEncoder().encodeToString(("alice:" + PASSWORD).getBytes())), message);
    }

    @Test
    void theHeaderIsSentOnEveryRequestAndNothingWithoutCredentials(@TempDir Path home) throws IOException {
        try (StandIn s = http(200, EXPERIMENT)) {
            assertEquals("7", new MlflowClient(s.uri("http"), Credentials.NONE).experimentId("phase18-minigpt"));
            new MlflowClient(s.uri("http"), creds(home, USER, "alice", PASS, PASSWORD))
                    .experimentId("phase18-minigpt");
            new MlflowClient(s.uri("http"), creds(home, TOK, TOKEN)).experimentId("phase18-minigpt");
            assertEquals(List.of("none", Credentials.from(Map.of(USER, "alice",
                    PASS, PASSWORD), home).authorization(), "Bearer " + TOKEN), s.authorizations);
        }
    }

    @Test
    void a401NamesTheVariableToSetInOneLineAndIsNotRetried(@TempDir Path home) throws IOException {
        String mlflowSays = "You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html";
        Map<String, String[]> cases = Map.of(
                "set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD", new String[] {},
                "MLFLOW_TRACKING_PASSWORD is not set: set it to the password of user 'alice'",
                new String[] {USER, "alice"},
                "refused the password of user 'alice' (HTTP 401): check MLFLOW_TRACKING_PASSWORD",
                new String[] {USER, "alice", PASS, PASSWORD},
                "MLFLOW_TRACKING_USERNAME is not set", new String[] {PASS, PASSWORD},
                "refused MLFLOW_TRACKING_TOKEN (HTTP 401)", new String[] {TOK, TOKEN});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            try (StandIn s = http(401, mlflowSays)) {
                MlflowClient client = new MlflowClient(s.uri("http"), creds(home, c.getValue()));
                KitError e = assertThrows(KitError.class, () -> client.experimentId("phase18-minigpt"));
                assertTrue(e.getMessage().startsWith("MLflow at " + s.uri("http") + " "), e.getMessage());
                assertTrue(e.getMessage().contains(c.getKey()), e.getMessage());
                assertTrue(e.getMessage().endsWith("then rerun: nothing was lost"), e.getMessage());
                assertOneLineWithoutSecrets(e.getMessage());
                assertEquals(1, s.authorizations.size(), "a wrong password is not retried: " + c.getKey());
            }
        }
    }

    @Test
    void a403NamesTheUserAndTheExperimentAndWhatToAskFor(@TempDir Path home) throws IOException {
        try (StandIn s = http(200, EXPERIMENT); StandIn refusing = http(403, "Permission denied")) {
            // As MLflow's default READ permission does: another learner's experiment can be read, not written to.
            s.server.createContext("/api/2.0/mlflow/runs/create", ex -> s.answer(ex, 403, "Permission denied"));
            Credentials bob = creds(home, USER, "bob", PASS, PASSWORD);
            MlflowClient client = new MlflowClient(s.uri("http"), bob);
            String id = client.experimentId("alice-experiment");
            KitError e = assertThrows(KitError.class, () -> client.createRun(id, "run", Map.of()));
            assertTrue(e.getMessage().contains("does not let user 'bob' create runs in experiment 'alice-experiment'"
                    + " (id 7)"
                    + " (HTTP 403 Permission denied)"), e.getMessage());
            assertTrue(e.getMessage().contains("--experiment"), e.getMessage());
            assertOneLineWithoutSecrets(e.getMessage());
            MlflowClient refused = new MlflowClient(refusing.uri("http"), bob);
            KitError read = assertThrows(KitError.class, () -> refused.experimentId("x"));
            assertTrue(read.getMessage().contains("does not let user 'bob' read experiment 'x' (HTTP 403"),
                    read.getMessage());
        }
    }

    @Test
    void theHostCheckIsNotTakenForAPermission(@TempDir Path home) throws IOException {
        try (StandIn s = http(403, "Invalid Host header - possible DNS rebinding attack detected")) {
            MlflowClient client = new MlflowClient(s.uri("http"), Credentials.NONE);
            KitError e = assertThrows(KitError.class, () -> client.experimentId("x"));
            String authority = s.uri("http").substring("http://".length());
            assertTrue(e.getMessage().contains("must add " + authority + " to MLFLOW_SERVER_ALLOWED_HOSTS"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("EDIT"), e.getMessage());
        }
    }

    // ---- https ---------------------------------------------------------------------------------------------

    /** A PKCS12 key store and its certificate as PEM, made by the JDK's keytool for the given subjectAltName. */
    private static Path[] certificate(Path dir, String name, String san) throws Exception {
        Path keystore = dir.resolve(name + ".p12"), pem = dir.resolve(name + ".pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "s", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "san=" + san, "-validity", "2", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ks.getCertificate("s").getEncoded());
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n");
        return new Path[] {keystore, pem};
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + ": " + out);
    }

    private static StandIn https(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        return new StandIn(server, 200, EXPERIMENT);
    }

    @Test
    void httpsTrustsTheGivenCertificateOrNoneWhenToldTo(@TempDir Path tmp) throws Exception {
        Path[] loopback = certificate(tmp, "loopback", "ip:127.0.0.1");
        Path[] elsewhere = certificate(tmp, "elsewhere", "dns:elsewhere.invalid");
        try (StandIn s = https(loopback[0]); StandIn wrongName = https(elsewhere[0])) {
            String uri = s.uri("https");
            KitError untrusted = assertThrows(KitError.class,
                    () -> new MlflowClient(uri, Credentials.NONE).experimentId("phase18-minigpt"));
            assertTrue(untrusted.getMessage().contains("set " + CERT + " to the server's certificate"),
                    untrusted.getMessage());
            assertTrue(untrusted.getMessage().contains("MLFLOW_TRACKING_INSECURE_TLS=true"), untrusted.getMessage());
            assertOneLineWithoutSecrets(untrusted.getMessage());

            assertEquals("7", new MlflowClient(uri, creds(tmp, CERT, loopback[1].toString(),
                    USER, "alice", PASS, PASSWORD)).experimentId("phase18-minigpt"));
            assertEquals("7", new MlflowClient(uri, creds(tmp, INSECURE, "true")).experimentId("x"));
            // A folder of certificates, as requests' verify=PATH takes (the key stores in it are skipped).
            assertEquals("7", new MlflowClient(uri, creds(tmp, CERT, tmp.toString()))
                    .experimentId("x"));
            assertTrue(s.authorizations.contains(Credentials.from(Map.of(USER, "alice",
                    PASS, PASSWORD), tmp).authorization()), "the login travels inside https");

            // The certificate path trusts a certificate, not a host: the name is still checked, as requests does.
            String other = wrongName.uri("https");
            KitError name = assertThrows(KitError.class, () -> new MlflowClient(other,
                    creds(tmp, CERT, elsewhere[1].toString())).experimentId("x"));
            assertTrue(name.getMessage().contains("do not vouch for"), name.getMessage());
            // Insecure TLS skips both checks.
            assertEquals("7", new MlflowClient(other, creds(tmp, INSECURE, "1")).experimentId("x"));
        }
    }
}
