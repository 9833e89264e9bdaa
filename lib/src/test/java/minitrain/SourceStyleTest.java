package minitrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code is read by learners, often side by side with a notebook: no line is wider than 120 characters, and
 * indentation is spaces, so every editor and the course page show it the same. A failure lists each offending
 * line as file:line, the place to open.
 */
class SourceStyleTest {

    static final int MAX_LINE = 120;

    /** The kit's root: Maven runs the tests in the module folder lib/. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static final List<Path> SOURCES = List.of(ROOT.resolve("lib/src/main/java"), ROOT.resolve("lib/src/test/java"));

    /** Every .java file under the folders, in a stable order. */
    static List<Path> javaFiles(List<Path> folders) {
        List<Path> files = new ArrayList<>();
        for (Path folder : folders) {
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(p -> p.toString().endsWith(".java") && Files.isRegularFile(p)).sorted()
                        .forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** One entry per offending line, "file:line: what", the file shown relative to {@code base}. */
    static List<String> problems(List<Path> files, Path base) {
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                problems.add(base.relativize(file) + ": not readable as UTF-8: " + e);
                continue;
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = base.relativize(file) + ":" + (i + 1) + ": ";
                // Characters as a reader counts them: "é" or "…" is one, even where UTF-16 or UTF-8 needs more.
                int length = line.codePointCount(0, line.length());
                if (length > MAX_LINE) problems.add(where + length + " characters, at most " + MAX_LINE);
                if (line.indexOf('\t') >= 0) problems.add(where + "a tab character; indent with spaces");
            }
        }
        return problems;
    }

    @Test
    void everyLineOfTheLibraryAndItsTestsFits() {
        List<Path> files = javaFiles(SOURCES);
        assertTrue(files.size() > 100, "the scan must see the library's sources and tests, saw " + files.size());
        List<String> problems = problems(files, ROOT);
        assertTrue(problems.isEmpty(), problems.size() + " lines to fix:\n" + String.join("\n", problems));
    }

    /** The check can fail: a long line, a tab and a line exactly at the limit are told apart. */
    @Test
    void theCheckNamesFileAndLine(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("src/p"));
        String atLimit = "x".repeat(MAX_LINE);
        String accented = "é".repeat(MAX_LINE);  // 120 characters, 240 bytes: fits
        Files.writeString(dir.resolve("A.java"), atLimit + "\n" + accented + "\n" + "y".repeat(MAX_LINE + 1) + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("B.java"), "class B {\n\tint x;\n}\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("C.txt"), "z".repeat(500), StandardCharsets.UTF_8);
        List<String> problems = problems(javaFiles(List.of(tmp.resolve("src"))), tmp);
        assertEquals(List.of(Path.of("src", "p", "A.java") + ":3: 121 characters, at most 120",
                Path.of("src", "p", "B.java") + ":2: a tab character; indent with spaces"), problems);
    }
}
