package minitrain.tracking;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import minitrain.KitError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The variables mean what they mean to MLflow's Python client (mlflow/utils/credentials.py, rest_utils.py):
 * basic auth only with both username and password, else the bearer token; the variable wins over
 * ~/.mlflow/credentials; insecure TLS is true/false/1/0 and excludes a certificate path.
 */
class CredentialsTest {

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicAuthNeedsBothAndWinsOverTheToken(@TempDir Path home) {
        assertNull(Credentials.from(Map.of(), home).authorization());
        assertEquals(basic("alice", "pä:ss"), Credentials.from(Map.of("MLFLOW_TRACKING_USERNAME", "alice",
                "MLFLOW_TRACKING_PASSWORD", "pä:ss"), home).authorization());
        assertEquals(basic("alice", "pw"), Credentials.from(Map.of("MLFLOW_TRACKING_USERNAME", "alice",
                "MLFLOW_TRACKING_PASSWORD", "pw", "MLFLOW_TRACKING_TOKEN", "tok"), home).authorization());
        // A username alone is not a login: Python then sends the token, or nothing.
        assertEquals("Bearer tok", Credentials.from(Map.of("MLFLOW_TRACKING_USERNAME", "alice",
                "MLFLOW_TRACKING_TOKEN", "tok"), home).authorization());
        assertNull(Credentials.from(Map.of("MLFLOW_TRACKING_USERNAME", "alice"), home).authorization());
        assertEquals("alice", Credentials.from(Map.of("MLFLOW_TRACKING_USERNAME", "alice"), home).user());
        // Empty counts as unset (Python: `env or file`, and `if username and password`).
        assertNull(Credentials.from(Map.of("MLFLOW_TRACKING_USERNAME", "", "MLFLOW_TRACKING_PASSWORD", ""), home).authorization());
        assertNull(Credentials.from(Map.of(), home).user());
    }

    @Test
    void theCredentialsFileFillsWhatTheVariablesLeaveOut(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve(".mlflow"));
        Files.writeString(home.resolve(".mlflow/credentials"), String.join("\n", "[other]", "mlflow_tracking_password = no",
                "[mlflow]", "mlflow_tracking_username = bob", "mlflow_tracking_password: from-file", ""));
        assertEquals(basic("bob", "from-file"), Credentials.from(Map.of(), home).authorization());
        assertEquals(basic("carol", "from-file"), Credentials.from(Map.of("MLFLOW_TRACKING_USERNAME", "carol"), home).authorization());
        assertEquals(basic("bob", "env"), Credentials.from(Map.of("MLFLOW_TRACKING_PASSWORD", "env"), home).authorization());
    }

    @Test
    void insecureTlsIsABooleanAndExcludesACertificate(@TempDir Path home) {
        for (String yes : new String[] {"true", "TRUE", "1"}) {
            assertNotNull(Credentials.from(Map.of("MLFLOW_TRACKING_INSECURE_TLS", yes), home).sslContext(), yes);
        }
        for (String no : new String[] {"false", "0", "False"}) {
            assertNull(Credentials.from(Map.of("MLFLOW_TRACKING_INSECURE_TLS", no), home).sslContext(), no);
        }
        KitError bad = assertThrows(KitError.class, () -> Credentials.from(Map.of("MLFLOW_TRACKING_INSECURE_TLS", "yes"), home));
        assertTrue(bad.getMessage().contains("MLFLOW_TRACKING_INSECURE_TLS = 'yes'"), bad.getMessage());
        KitError both = assertThrows(KitError.class, () -> Credentials.from(Map.of("MLFLOW_TRACKING_INSECURE_TLS", "true",
                "MLFLOW_TRACKING_SERVER_CERT_PATH", "/some/ca.pem"), home));
        assertTrue(both.getMessage().contains("MLFLOW_TRACKING_SERVER_CERT_PATH"), both.getMessage());
        KitError missing = assertThrows(KitError.class, () -> Credentials.from(Map.of("MLFLOW_TRACKING_SERVER_CERT_PATH",
                home.resolve("nope.pem").toString()), home).sslContext());
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void theSecretsAppearInNoMessage(@TempDir Path home) {
        String password = "correct-horse-battery", token = "tok-12345-secret";
        Map<String, String> env = Map.of("MLFLOW_TRACKING_USERNAME", "alice", "MLFLOW_TRACKING_PASSWORD", password,
                "MLFLOW_TRACKING_TOKEN", token);
        Credentials c = Credentials.from(env, home);
        for (String shown : new String[] {c.toString(), c.unauthorized("http://h:1"), c.who(), c.untrusted("https://h:1"),
                Credentials.from(Map.of("MLFLOW_TRACKING_TOKEN", token), home).unauthorized("http://h:1"),
                Credentials.from(Map.of("MLFLOW_TRACKING_TOKEN", token), home).toString()}) {
            assertFalse(shown.contains(password) || shown.contains(token), shown);
            assertFalse(shown.contains(Base64.getEncoder().encodeToString(("alice:" + password).getBytes(StandardCharsets.UTF_8))));
        }
    }
}
