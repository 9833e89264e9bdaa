package minitrain.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The committed seed corpus (lib/src/test/resources/minitrain/fuzz/, written by tests/reference/fuzz_seeds.py).
 * A file's name states what the reader must do with it: ok-* parses, bad-* is refused with a KitError,
 * any-* may do either.
 */
record Seeds(String name, byte[] bytes) {

    static List<Seeds> of(String kind) {
        try {
            Path dir = Path.of(Seeds.class.getResource("/minitrain/fuzz/" + kind).toURI());
            try (Stream<Path> s = Files.list(dir)) {
                return s.sorted().map(p -> new Seeds(p.getFileName().toString(), read(p))).toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("the seed corpus " + kind + " is missing from the test resources", e);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name + " (" + bytes.length + " bytes)"; // what jqwik prints for a failing sample
    }
}
