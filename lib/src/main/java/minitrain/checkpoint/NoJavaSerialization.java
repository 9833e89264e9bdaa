package minitrain.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import minitrain.KitError;

/**
 * The kit's "no pickle" rule, as a check: Java serialization rebuilds objects by running their code while it
 * reads, so a crafted file is a program. The library stores weights in safetensors (data only) and settings
 * in JSON; this scan finds any source file that reaches for serialization anyway. The unit tests and the
 * phase report both run it.
 */
public final class NoJavaSerialization {

    // Object(In|Out)putStream rather than the two names spelled out: this file is in the scanned tree too, and
    // text searches for the rule (grep in a review, a pre-commit hook) should find only real uses.
    public static final Pattern FORBIDDEN =
            Pattern.compile("\\bSerializable\\b|Object(In|Out)putStream|readObject\\s*\\(|writeObject\\s*\\(");

    private NoJavaSerialization() {}

    /** The .java files under {@code sourceRoot} that mention serialization (this file's own pattern excluded). */
    public static List<Path> offenders(Path sourceRoot) {
        if (!Files.isDirectory(sourceRoot)) throw KitError.in(sourceRoot, "no source folder to scan");
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getFileName().toString().equals("NoJavaSerialization.java"))
                    .filter(p -> FORBIDDEN.matcher(read(p)).find()).sorted().toList();
        } catch (IOException e) {
            throw KitError.in(sourceRoot, "cannot scan: " + e.getMessage());
        }
    }

    /** How many .java files the scan read (the report says it, so an empty folder cannot pass unnoticed). */
    public static long sourceFiles(Path sourceRoot) {
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            return files.filter(p -> p.toString().endsWith(".java")).count();
        } catch (IOException e) {
            throw KitError.in(sourceRoot, "cannot scan: " + e.getMessage());
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
