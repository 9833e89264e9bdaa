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
        m.put("cpu", cpuModel());
        // Which of OpenBLAS's kernel sets ran the matrix products, on how many threads, and so whether the
        // bytes travel (bin/blas-env).
        m.put("blas_mode", blasMode());
        m.put("blas_coretype", blasCoreType());
        m.put("blas_threads", blasThreads());
        return m;
    }

    /** The mode whose results are the same bytes on every x86-64 CPU with AVX2 and FMA (see bin/blas-env). */
    public static final String PORTABLE = "portable";
    /** The mode whose results are this machine's: OpenBLAS's own kernels, or settings the caller chose. */
    public static final String NATIVE = "native";

    /**
     * The kernel set OpenBLAS was told to use: OPENBLAS_CORETYPE as this JVM received it (OpenBLAS reads the
     * same variable of the same process when it loads), or "auto" for OpenBLAS's own choice for this CPU.
     */
    public static String blasCoreType() {
        String core = System.getenv("OPENBLAS_CORETYPE");
        return core == null || core.isEmpty() ? "auto" : core;
    }

    /**
     * The threads OpenBLAS runs a product on, read from the variables as OpenBLAS reads them (the first of
     * OPENBLAS_NUM_THREADS, GOTO_NUM_THREADS, OMP_NUM_THREADS that is a positive number), or "auto" (one per core).
     */
    public static String blasThreads() {
        for (String name : List.of("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")) {
            String v = System.getenv(name);
            try {
                if (v != null && Integer.parseInt(v.trim()) > 0) return String.valueOf(Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                // OpenBLAS reads a non-number as unset
            }
        }
        return "auto";
    }

    /** {@link #PORTABLE} or {@link #NATIVE}, decided from the settings this JVM got, not from MINITRAIN_BLAS. */
    public static String blasMode() {
        return blasMode(System.getProperty("os.arch"), blasCoreType(), blasThreads(), System.getenv("OMP_NUM_THREADS"));
    }

    /**
     * Portable exactly when OpenBLAS ran its Haswell kernels on an x86-64 JVM, on one thread, beside one OpenMP
     * thread for ND4J: a product cut between threads comes out in other bits. OpenBLAS compares the core name
     * without regard to case; any other name (a typo included, which OpenBLAS replaces by a choice of its own)
     * or another architecture (where the x86 name means nothing) is native.
     */
    static String blasMode(String arch, String coreType, String blasThreads, String ompThreads) {
        boolean x86_64 = "amd64".equals(arch) || "x86_64".equals(arch);
        boolean oneThread = "1".equals(blasThreads) && "1".equals(ompThreads);
        return x86_64 && "haswell".equalsIgnoreCase(coreType) && oneThread ? PORTABLE : NATIVE;
    }

    /** The CPU's model name as Linux reports it, else "unknown": a native-mode result is this CPU's. */
    static String cpuModel() {
        try (var lines = java.nio.file.Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * What the phase itself writes. A change there does not make the code or its inputs differ from the
     * commit: make phase rewrites the baseline before it trains, and without this list every model it
     * published was marked dirty, so the mark said nothing.
     */
    static final List<String> PHASE_OUTPUTS = List.of("models", "PHASE_18_REPORT.md", "experiments/notebooks",
            "experiments/*/runs/**", "experiments/14-ngram/baseline.json", "experiments/18-mp-drift",
            "experiments/18-train-mini/*.png", "experiments/18-train-mini/*.svg");

    /**
     * The git commit of the kit (with "-dirty" when a tracked file other than a phase output has changes), or
     * "unknown".
     */
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
