package minitrain;

import java.nio.file.Path;

/**
 * The kit's one error type: a single line a learner can act on, naming the file and the place.
 * The command line prints {@link #getMessage()} and nothing else, so a bad file never shows a stack trace.
 */
public final class KitError extends RuntimeException {

    public KitError(String message) {
        super(message);
    }

    public KitError(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * "file:line: message", the form compilers use, so editors can jump to it. A file inside the kit is named
     * relative to it ({@link Kit#show}), as the learner sees it in the file browser.
     */
    public static KitError at(Path file, long line, String message) {
        return new KitError(Kit.show(file) + ":" + line + ": " + message);
    }

    /** "file: message", for errors that belong to the whole file. */
    public static KitError in(Path file, String message) {
        return new KitError(Kit.show(file) + ": " + message);
    }
}
