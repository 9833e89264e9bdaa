package minitrain.checkpoint;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import minitrain.KitError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that fails midway leaves the previous file exactly as it was. The failures are real ones from the
 * file system, made in ways that stop root too (chmod does not): a folder standing where the temporary file
 * goes, a regular file standing where a folder is needed.
 */
class AtomicFilesTest {

    @Test
    void aFailedWriteKeepsTheOldFileAndSaysWhyInOneLine(@TempDir Path tmp) throws IOException {
        Path target = tmp.resolve("ckpt-000010.safetensors");
        Files.writeString(target, "the previous checkpoint");
        Files.createDirectories(tmp.resolve(".ckpt-000010.safetensors.tmp").resolve("blocker"));
        KitError e = assertThrows(KitError.class, () -> AtomicFiles.write(target, new byte[] {1, 2, 3}));
        assertTrue(e.getMessage().startsWith(target + ": cannot write: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals("the previous checkpoint", Files.readString(target, StandardCharsets.UTF_8));
    }

    @Test
    void leftoversOfAKilledWriterAreRemovedAndNothingElse(@TempDir Path tmp) throws IOException {
        // killed between a checkpoint's rename and its .seconds file's: the checkpoint is whole, the temporary stays
        AtomicFiles.writeString(tmp.resolve("ckpt-000035.safetensors"), "whole");
        Files.writeString(tmp.resolve(".ckpt-000035.seconds.tmp"), "1.2");
        Files.writeString(tmp.resolve(".ckpt-000040.safetensors.tmp"), "half");
        Files.writeString(tmp.resolve("metrics.csv"), "step\n");
        assertEquals(java.util.List.of(".ckpt-000035.seconds.tmp", ".ckpt-000040.safetensors.tmp"),
                AtomicFiles.removeLeftovers(tmp));
        try (var left = Files.list(tmp)) {
            assertEquals(java.util.Set.of("ckpt-000035.safetensors", "metrics.csv"),
                    left.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        assertEquals(java.util.List.of(), AtomicFiles.removeLeftovers(tmp));
    }

    @Test
    void aFileWhereAFolderIsNeededIsNamedAsSuch(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("file"), "x");
        KitError e = assertThrows(KitError.class,
                () -> AtomicFiles.writeString(tmp.resolve("file/run/run.json"), "{}"));
        // Java's own message would be the bare path "…/file/run": the reason must be in words.
        assertTrue(e.getMessage().contains("Not a directory") || e.getMessage().contains("a file is in the way"),
                e.getMessage());
    }

    @Test
    void theWritableCheckLeavesNoFolderBehindEitherWay(@TempDir Path tmp) throws IOException {
        AtomicFiles.requireWritableFolder(tmp.resolve("a/b/models"));
        assertFalse(Files.exists(tmp.resolve("a")), "folders made only for the check are removed");
        Files.writeString(tmp.resolve("file"), "x");
        KitError e = assertThrows(KitError.class, () -> AtomicFiles.requireWritableFolder(tmp.resolve("file/models")));
        assertTrue(e.getMessage().startsWith(tmp.resolve("file/models") + ": cannot write in this folder: "),
                e.getMessage());
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count());
        }
    }
}
