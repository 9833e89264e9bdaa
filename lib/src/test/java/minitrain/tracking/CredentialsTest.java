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

    private static final String USER = "MLFLOW_TRACKING_USERNAME", PASS = "MLFLOW_TRACKING_PASSWORD";
    private static final String TOK = "MLFLOW_TRACKING_TOKEN", INSECURE = "MLFLOW_TRACKING_INSECURE_TLS";
    private static final String CERT = "MLFLOW_TRACKING_SERVER_CERT_PATH";

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicAuthNeedsBothAndWinsOverTheToken(@TempDir Path home) {
        assertNull(Credentials.from(Map.of(), home).authorization());
        assertEquals(basic("alice", "pä:ss"), Credentials.from(Map.of(USER, "alice",
                PASS, "pä:ss"), home).authorization());
        assertEquals(basic("alice", "pw"), Credentials.from(Map.of(USER, "alice",
                PASS, "pw", TOK, "tok"), home).authorization());
        // A username alone is not a login: Python then sends the token, or nothing.
        assertEquals("Bearer tok", Credentials.from(Map.of(USER, "alice",
                TOK, "tok"), home).authorization());
        assertNull(Credentials.from(Map.of(USER, "alice"), home).authorization());
        assertEquals("alice", Credentials.from(Map.of(USER, "alice"), home).user());
        // Empty counts as unset (Python: `env or file`, and `if username and password`).
        assertNull(Credentials.from(Map.of(USER, "", PASS, ""), home).authorization());
        assertNull(Credentials.from(Map.of(), home).user());
    }

    @Test
    void theCredentialsFileFillsWhatTheVariablesLeaveOut(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve(".mlflow"));
        Files.writeString(home.resolve(".mlflow/credentials"), String.join("\n",
                "[other]", "mlflow_tracking_password = no",
                "[mlflow]", "mlflow_tracking_username = bob", "mlflow_tracking_password: from-file", ""));
        assertEquals(basic("bob", "from-file"), Credentials.from(Map.of(), home).authorization());
        assertEquals(basic("carol", "from-file"), Credentials.from(Map.of(USER, "carol"), home).authorization());
        assertEquals(basic("bob", "env"), Credentials.from(Map.of(PASS, "env"), home).authorization());
    }

    @Test
    void insecureTlsIsABooleanAndExcludesACertificate(@TempDir Path home) {
        for (String yes : new String[] {"true", "TRUE", "1"}) {
            assertNotNull(Credentials.from(Map.of(INSECURE, yes), home).sslContext(), yes);
        }
        for (String no : new String[] {"false", "0", "False"}) {
            assertNull(Credentials.from(Map.of(INSECURE, no), home).sslContext(), no);
        }
        KitError bad = assertThrows(KitError.class, () -> Credentials.from(Map.of(INSECURE, "yes"), home));
        assertTrue(bad.getMessage().contains("MLFLOW_TRACKING_INSECURE_TLS = 'yes'"), bad.getMessage());
        KitError both = assertThrows(KitError.class, () -> Credentials.from(Map.of(INSECURE, "true",
                CERT, "/some/ca.pem"), home));
        assertTrue(both.getMessage().contains(CERT), both.getMessage());
        KitError missing = assertThrows(KitError.class, () -> Credentials.from(Map.of(CERT,
                home.resolve("nope.pem").toString()), home).sslContext());
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
    }

    @Test
    void theSecretsAppearInNoMessage(@TempDir Path home) {
        String password = "correct-horse-battery", token = "tok-12345-secret";
        Map<String, String> env = Map.of(USER, "alice", PASS, password,
                TOK, token);
        Credentials c = Credentials.from(env, home);
        String pair = Base64.getEncoder().encodeToString(("alice:" + password).getBytes(StandardCharsets.UTF_8));
        for (String shown : new String[] {c.toString(), c.unauthorized("http://h:1"), c.who(),
                c.untrusted("https://h:1"),
                Credentials.from(Map.of(TOK, token), home).unauthorized("http://h:1"),
                Credentials.from(Map.of(TOK, token), home).toString()}) {
            assertFalse(shown.contains(password) || shown.contains(token), shown);
            assertFalse(shown.contains(pair), shown);
        }
    }
}
