package minitrain.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a result was computed. Floating point can differ across JVMs, BLAS builds and thread counts, so
 * "the same bytes" is a promise about the same environment, and the manifest records which one.
 */
public final class Environment {

    private Environment() {}

    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("arch", System.getProperty("os.arch"));
        m.put("nd4j", "1.0.0-M2.1 " + Nd4j.getBackend().getClass().getSimpleName());
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        m.put("blas", String.valueOf(info.getOrDefault("blas.vendor", "unknown")));
        m.put("threads", Runtime.getRuntime().availableProcessors());
        m.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        // Which of OpenBLAS's kernel sets ran the matrix products (bin/blas-env sets it on some CPUs).
        m.put("openblas_coretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "auto"));
        return m;
    }

    /** The git commit of the kit (with "-dirty" when the work tree has changes), or "unknown". */
    public static String gitCommit(Path root) {
        String head = run(root, "git", "rev-parse", "HEAD");
        if (head == null) return "unknown";
        String status = run(root, "git", "status", "--porcelain", "--untracked-files=no");
        return status != null && !status.isBlank() ? head + "-dirty" : head;
    }

    private static String run(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
