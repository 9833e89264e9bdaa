package minitrain.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import minitrain.KitError;

/**
 * The fuzzers' one property: a reader given any file either returns or throws {@link KitError} with a single
 * line naming the file, and does so within a time bound. Any other exception (an IndexOutOfBounds, a
 * NullPointer, an OutOfMemoryError from a size taken on trust) fails the property with the input kept.
 */
final class Contained implements AutoCloseable {

    /** Per input. Each reader handles a few kB in well under a millisecond; this only catches hangs. */
    static final long BOUND_MS = 5_000;

    final AtomicLong executions = new AtomicLong(), parsed = new AtomicLong(), refused = new AtomicLong();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-worker");
        t.setDaemon(true); // a hung reader must not keep the test JVM alive
        return t;
    });
    private final Path dir;
    private final long started = System.nanoTime();

    Contained(String name) {
        try {
            dir = Files.createTempDirectory("fuzz-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} to a file and hands it to {@code reader}; fails unless the outcome is contained. */
    void check(String fileName, byte[] bytes, Consumer<Path> reader) {
        Path file = dir.resolve(fileName);
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        executions.incrementAndGet();
        Future<?> run = worker.submit(() -> reader.accept(file));
        try {
            run.get(BOUND_MS, TimeUnit.MILLISECONDS);
            parsed.incrementAndGet();
        } catch (TimeoutException e) {
            run.cancel(true);
            fail("reader did not finish within " + BOUND_MS + " ms on " + bytes.length + " bytes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (!(t instanceof KitError k)) fail("not a KitError: " + t, t);
            else {
                String m = k.getMessage();
                if (m.contains("\n") || m.contains("\r")) fail("the error is not one line: " + m);
                if (!m.startsWith(file.toString())) fail("the error does not start with the file's name: " + m);
                refused.incrementAndGet();
            }
        }
    }

    /** One line for the build log: how many inputs ran, and how they ended. */
    String summary(String what) {
        double s = (System.nanoTime() - started) / 1e9;
        return String.format("fuzz %s: %d executions (%d parsed, %d refused with a KitError) in %.1f s",
                what, executions.get(), parsed.get(), refused.get(), s);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try (var s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
