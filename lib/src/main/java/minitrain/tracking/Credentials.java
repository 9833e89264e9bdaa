package minitrain.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import minitrain.KitError;

/**
 * How the kit logs in to a teacher's MLflow server: the environment variables MLflow's own Python client reads
 * (mlflow/utils/credentials.py and rest_utils.py), with the same meaning, so one set of variables serves a learner's
 * Python and Java alike.
 * <ul>
 * <li>MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD: HTTP basic auth, sent only when both are non-empty;
 * either may instead come from the [mlflow] section of ~/.mlflow/credentials (the variable wins).</li>
 * <li>MLFLOW_TRACKING_TOKEN: a bearer token, sent when there is no username and password pair.</li>
 * <li>MLFLOW_TRACKING_SERVER_CERT_PATH: a PEM file (or a folder of them) of the certificates to trust for https,
 * instead of Java's default ones; the host name is still checked.</li>
 * <li>MLFLOW_TRACKING_INSECURE_TLS: true/false/1/0; true accepts any certificate and host name. Setting it to true
 * together with a certificate path is an error, as in Python.</li>
 * </ul>
 * The password and the token stay inside this object: nothing here puts them in a string that could reach the
 * manifest, the report, a log or an error message.
 */
public final class Credentials {

    static final String USERNAME = "MLFLOW_TRACKING_USERNAME";
    static final String PASSWORD = "MLFLOW_TRACKING_PASSWORD";
    static final String TOKEN = "MLFLOW_TRACKING_TOKEN";
    static final String INSECURE_TLS = "MLFLOW_TRACKING_INSECURE_TLS";
    static final String SERVER_CERT_PATH = "MLFLOW_TRACKING_SERVER_CERT_PATH";

    /** No login and Java's own trust store: the single-learner kit talking to its local server. */
    public static final Credentials NONE = new Credentials(null, null, null, false, null);

    private final String username;
    private final String password;
    private final String token;
    private final boolean insecureTls;
    private final Path serverCert;

    private Credentials(String username, String password, String token, boolean insecureTls, Path serverCert) {
        this.username = username;
        this.password = password;
        this.token = token;
        this.insecureTls = insecureTls;
        this.serverCert = serverCert;
    }

    /** What this process's environment (and ~/.mlflow/credentials) says. */
    public static Credentials fromEnvironment() {
        return from(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static Credentials from(Map<String, String> env, Path home) {
        String[] file = credentialsFile(home.resolve(".mlflow").resolve("credentials"));
        // Python: `username_env or username_file`, so an empty variable falls back to the file.
        String user = firstNonEmpty(env.get(USERNAME), file[0]);
        String pass = firstNonEmpty(env.get(PASSWORD), file[1]);
        String token = firstNonEmpty(env.get(TOKEN), null);
        boolean insecure = false;
        String raw = env.get(INSECURE_TLS);
        if (raw != null) {
            switch (raw.toLowerCase(Locale.ROOT)) {
                case "true", "1" -> insecure = true;
                case "false", "0" -> insecure = false;
                default -> throw new KitError(INSECURE_TLS + " = '" + raw + "': use true, false, 1 or 0");
            }
        }
        String cert = env.get(SERVER_CERT_PATH);
        // Python checks `server_cert_path is not None`, so even an empty path conflicts with insecure TLS.
        if (insecure && cert != null) {
            throw new KitError(INSECURE_TLS + " is true and " + SERVER_CERT_PATH + " is set: unset one of them"
                    + " (either trust that certificate, or skip the check)");
        }
        return new Credentials(user, pass, token, insecure, cert == null || cert.isEmpty() ? null : Path.of(cert));
    }

    /** The learner's name for the run's mlflow.user tag (as MLflow's Python client sets it), or null. */
    public String user() {
        return username;
    }

    /** The Authorization header's value, or null: basic when both username and password are set, else bearer. */
    String authorization() {
        if (username != null && password != null) {
            byte[] pair = (username + ":" + password).getBytes(StandardCharsets.UTF_8);
            return "Basic " + Base64.getEncoder().encodeToString(pair);
        }
        return token != null ? "Bearer " + token : null;
    }

    /** What to do about a 401, naming the variable to set and never its value. */
    String unauthorized(String server) {
        String start = "MLflow at " + server + " ";
        if (username != null && password != null) {
            return start + "refused the password of user '" + username + "' (HTTP 401): check " + PASSWORD;
        }
        if (username != null) {
            return start + "asks for a login (HTTP 401) and " + PASSWORD + " is not set: set it to the password"
                    + " of user '" + username + "'";
        }
        if (password != null) {
            return start + "asks for a login (HTTP 401) and " + USERNAME + " is not set: set it to your user name";
        }
        if (token != null) return start + "refused " + TOKEN + " (HTTP 401): check it, or set " + USERNAME + " and "
                + PASSWORD + " instead";
        return start + "asks for a login (HTTP 401): set " + USERNAME + " and " + PASSWORD + " to your account on it";
    }

    /** Who the server saw, for a 403: the user name is not a secret, and it is what the teacher grants rights to. */
    String who() {
        if (username != null && password != null) return "user '" + username + "'";
        return token != null ? "the holder of " + TOKEN : "an anonymous client";
    }

    /** What to do about a certificate this JVM does not trust. */
    String untrusted(String server) {
        String start = "MLflow at " + server + " presented a certificate that ";
        if (serverCert != null) {
            return start + "the certificates in " + SERVER_CERT_PATH + " (" + serverCert + ") do not vouch for";
        }
        return start + "this machine does not trust: set " + SERVER_CERT_PATH + " to the server's certificate (PEM),"
                + " or " + INSECURE_TLS + "=true to skip the check (only on a network you trust)";
    }

    /** The TLS set-up for https, or null for Java's default (its own trust store, host name checked). */
    SSLContext sslContext() {
        try {
            if (insecureTls) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new TrustAll()}, null);
                return ctx;
            }
            if (serverCert == null) return null;
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate c : readCertificates(serverCert)) trusted.setCertificateEntry("cert-" + n++, c);
            if (n == 0) throw new KitError(SERVER_CERT_PATH + " = " + serverCert + ": no PEM certificate in it");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new KitError(SERVER_CERT_PATH + " = " + serverCert + ": cannot use it: " + e.getMessage());
        }
    }

    // Like requests' `verify=PATH`: a bundle file, or a folder whose files are certificates.
    private static List<Certificate> readCertificates(Path path) throws IOException, GeneralSecurityException {
        if (!Files.exists(path)) throw new KitError(SERVER_CERT_PATH + " = " + path + ": no such file or folder");
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.list(path)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
        } else {
            files = List.of(path);
        }
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        List<Certificate> certs = new ArrayList<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                certs.addAll(x509.generateCertificates(in));
            } catch (GeneralSecurityException e) {
                if (!Files.isDirectory(path)) throw e; // in a folder, files that are not certificates are skipped
            }
        }
        return certs;
    }

    /** {username, password} from the [mlflow] section of ~/.mlflow/credentials, as MLflow's Python client reads it. */
    private static String[] credentialsFile(Path file) {
        String[] found = {null, null};
        if (!Files.isRegularFile(file)) return found;
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new KitError(file + ": cannot read: " + e.getMessage()); // names the file, never its content
        }
        boolean inMlflow = false;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("[")) inMlflow = line.equals("[mlflow]");
            // configparser's "key = value" or "key: value", whichever separator comes first
            int sep = firstOf(line, '=', ':');
            if (!inMlflow || line.startsWith("#") || line.startsWith(";") || sep < 0) continue;
            String key = line.substring(0, sep).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(sep + 1).strip();
            if (key.equals(USERNAME.toLowerCase(Locale.ROOT))) found[0] = value;
            if (key.equals(PASSWORD.toLowerCase(Locale.ROOT))) found[1] = value;
        }
        return found;
    }

    private static int firstOf(String s, char a, char b) {
        int i = s.indexOf(a), j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    private static String firstNonEmpty(String a, String b) {
        if (a != null && !a.isEmpty()) return a;
        return b != null && !b.isEmpty() ? b : null;
    }

    /** Never the secrets: this is what a debugger or a careless log line would show. */
    @Override
    public String toString() {
        return "Credentials[" + (username != null ? "user " + username : "no user")
                + (password != null ? ", password set" : "") + (token != null ? ", token set" : "")
                + (insecureTls ? ", insecure TLS" : "")
                + (serverCert != null ? ", server cert " + serverCert : "") + "]";
    }

    /**
     * MLFLOW_TRACKING_INSECURE_TLS=true: any certificate, any host name. An X509ExtendedTrustManager, because JSSE
     * wraps a plain X509TrustManager in one that checks the host name anyway.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
        @Override public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
