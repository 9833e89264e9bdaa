package minitrain.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import minitrain.KitError;

/**
 * Writes a file so that a crash at any moment leaves either the old file or the new one, never half of one:
 * write a temporary file beside the target, force it to disk, rename it over the target (atomic on one file
 * system), then force the folder so the rename itself survives a power cut.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    public static void write(Path target, byte[] bytes) {
        write(target, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    /** What goes into the temporary file, written by the caller (a large file streamed in pieces). */
    @FunctionalInterface
    public interface Contents {
        void writeTo(FileChannel ch) throws IOException;
    }

    public static void write(Path target, Contents contents) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                contents.writeTo(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // Some file systems cannot open a folder for sync; the rename is still atomic there.
            }
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // leave nothing half-written behind
            } catch (IOException ignored) {
                // the original error below is the one to report
            }
            throw KitError.in(target, "cannot write: " + reason(e));
        }
    }

    /**
     * Removes the temporaries a killed writer left in {@code dir} (".NAME.tmp": killed after writing, before the
     * rename) and returns their names. Whoever continues a folder calls it: a resumed run rewrites the files after
     * its checkpoint, and so their temporaries, but not one of the checkpoint's own (its .seconds file, cut between
     * the two writes). Only for a folder no other process is writing.
     */
    public static List<String> removeLeftovers(Path dir) {
        List<String> removed = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(f)) {
                    Files.delete(f);
                    removed.add(name);
                }
            }
        } catch (IOException e) {
            throw KitError.in(dir, "cannot remove the files an interrupted run left half-written: " + reason(e));
        }
        Collections.sort(removed);
        return removed;
    }

    /**
     * Why a write failed, in words: several of Java's exceptions carry only a path as their message
     * ("cannot write: /x/run" says nothing), and the path is often not the target but a folder above it.
     */
    static String reason(IOException e) {
        String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.NotDirectoryException) {
            return "a file is in the way where a folder is needed (" + m + ")";
        }
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied (" + m + ")";
        if (e instanceof java.nio.file.NoSuchFileException) return "no such folder (" + m + ")";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
        }
        return m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    /**
     * Fails now, with one line, if {@code dir} cannot be created or written: a training run checks its models
     * folder before it starts, not after an hour of training when it publishes. Folders it had to create
     * for the check are removed again, so a check leaves nothing behind either way.
     */
    public static void requireWritableFolder(Path dir) {
        Path abs = dir.toAbsolutePath().normalize(), existing = abs;
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        try {
            Files.createDirectories(abs);
            Files.delete(Files.createTempFile(abs, ".write-check-", ".tmp"));
        } catch (IOException e) {
            throw KitError.in(dir, "cannot write in this folder: " + reason(e));
        } finally {
            for (Path p = abs; p != null && !p.equals(existing); p = p.getParent()) {
                try {
                    Files.deleteIfExists(p); // only the empty folders made above
                } catch (IOException ignored) {
                    break;
                }
            }
        }
    }

    public static void writeString(Path target, String text) {
        write(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
