package minitrain.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * What the phase itself writes. A change there does not make the code or its inputs differ from the
     * commit: make phase rewrites the baseline before it trains, and without this list every model it
     * published was marked dirty, so the mark said nothing.
     */
    static final List<String> PHASE_OUTPUTS = List.of("models", "PHASE_18_REPORT.md", "experiments/notebooks",
            "experiments/*/runs/**", "experiments/14-ngram/baseline.json", "experiments/18-mp-drift",
            "experiments/18-train-mini/*.png", "experiments/18-train-mini/*.svg");

    /** The git commit of the kit (with "-dirty" when a tracked file other than a phase output has changes), or "unknown". */
    public static String gitCommit(Path root) {
        String head = run(root, "git", "rev-parse", "HEAD");
        if (head == null) return "unknown";
        List<String> cmd = new ArrayList<>(List.of("git", "status", "--porcelain", "--untracked-files=no", "--", "."));
        for (String output : PHASE_OUTPUTS) cmd.add(":(exclude,glob)" + output);
        String status = run(root, cmd.toArray(String[]::new));
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
