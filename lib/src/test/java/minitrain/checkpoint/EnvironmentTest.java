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
