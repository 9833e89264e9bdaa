package minitrain.checkpoint;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit recorded beside every artifact is marked "-dirty" when the code or the inputs differ from it,
 * and only then: the files the phase writes for itself (baseline, run folders, models, report) do not count.
 */
class EnvironmentTest {

    @Test
    void aPhaseOutputLeavesTheCommitCleanAndACodeChangeMarksItDirty(@TempDir Path kit) throws Exception {
        write(kit, "lib/Loop.java", "class Loop {}");
        write(kit, "experiments/18-train-mini/config.json", "{}");
        write(kit, "experiments/14-ngram/baseline.json", "{\"seconds\": 1}");
        write(kit, "experiments/18-train-mini/runs/lab01/metrics.csv", "step\n");
        write(kit, "models/m.json", "{}");
        git(kit, "init", "-q");
        git(kit, "add", ".");
        git(kit, "-c", "user.name=kit", "-c", "user.email=kit@localhost", "commit", "-qm", "start");
        String head = Environment.gitCommit(kit);
        assertTrue(head.matches("[0-9a-f]{40}"), head);

        write(kit, "experiments/14-ngram/baseline.json", "{\"seconds\": 2}");
        write(kit, "experiments/18-train-mini/runs/lab01/metrics.csv", "step\n0\n");
        write(kit, "models/m.json", "{\"steps\": 1}");
        assertEquals(head, Environment.gitCommit(kit), "phase outputs changed only");

        write(kit, "experiments/18-train-mini/config.json", "{\"max_steps\": 1}");
        assertEquals(head + "-dirty", Environment.gitCommit(kit), "an input changed");
        git(kit, "checkout", "-q", "--", "experiments/18-train-mini/config.json");
        write(kit, "lib/Loop.java", "class Loop { int step; }");
        assertEquals(head + "-dirty", Environment.gitCommit(kit), "the code changed");
    }

    /** Portable only for OpenBLAS's Haswell kernels on x86-64 on one thread: what ran, whatever was asked. */
    @Test
    void theModeIsPortableOnlyForTheHaswellKernelsOnOneThreadOnX86() {
        String portable = Environment.PORTABLE, nativeMode = Environment.NATIVE;
        assertEquals(portable, Environment.blasMode("amd64", "Haswell", "1", "1"));
        assertEquals(portable, Environment.blasMode("amd64", "HASWELL", "1", "1"), "OpenBLAS ignores case");
        assertEquals(nativeMode, Environment.blasMode("amd64", "auto", "1", "1"), "OpenBLAS's own choice");
        assertEquals(nativeMode, Environment.blasMode("amd64", "SkylakeX", "1", "1"));
        assertEquals(nativeMode, Environment.blasMode("amd64", "Haswel", "1", "1"), "a typo runs other kernels");
        assertEquals(nativeMode, Environment.blasMode("aarch64", "Haswell", "1", "1"), "an x86 name on ARM");
        assertEquals(nativeMode, Environment.blasMode("amd64", "Haswell", "2", "1"), "products cut between threads");
        assertEquals(nativeMode, Environment.blasMode("amd64", "Haswell", "auto", "1"), "a thread per core");
        assertEquals(nativeMode, Environment.blasMode("amd64", "Haswell", "1", null), "ND4J's OpenMP threads");
    }

    /** The record names the mode and the kernels beside the rest, as the JVM found them. */
    @Test
    void theRecordNamesTheModeAndTheCoreType() {
        var env = Environment.describe();
        assertEquals(Environment.blasMode(), env.get("blas_mode"));
        assertEquals(Environment.blasCoreType(), env.get("blas_coretype"));
        assertEquals(Environment.blasThreads(), env.get("blas_threads"));
        String core = System.getenv("OPENBLAS_CORETYPE");
        assertEquals(core == null || core.isEmpty() ? "auto" : core, Environment.blasCoreType());
    }

    private static void write(Path kit, String file, String text) throws IOException {
        Files.createDirectories(kit.resolve(file).getParent());
        Files.writeString(kit.resolve(file), text);
    }

    private static void git(Path kit, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "git";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).directory(kit.toFile()).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
    }
}
