package minitrain;

import java.nio.file.Path;

/** Where the kit lives, so default paths (corpus/, models/, experiments/) work from any folder. */
public final class Kit {

    private Kit() {}

    /** The kit's root folder: {@code -Dminitrain.home} (set by bin/minitrain), else the working folder. */
    public static Path root() {
        String home = System.getProperty("minitrain.home");
        return Path.of(home != null ? home : "").toAbsolutePath().normalize();
    }

    /** A path as a learner should read it: relative to the kit when inside it (outputs then name no machine). */
    public static String show(Path p) {
        Path a = p.toAbsolutePath().normalize();
        return a.startsWith(root()) ? root().relativize(a).toString() : a.toString();
    }

    /** The library version from the jar manifest ("dev" when run from classes). */
    public static String version() {
        String v = Kit.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
