package minitrain.autograd;

/**
 * Turns graph recording off for a block: {@code try (var off = Grad.off()) { ... }}. Evaluation runs
 * this way, so it keeps no intermediate arrays and cannot change a gradient by accident.
 */
public final class Grad implements AutoCloseable {

    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> true);
    private final boolean previous;

    private Grad(boolean enabled) {
        previous = ENABLED.get();
        ENABLED.set(enabled);
    }

    public static Grad off() {
        return new Grad(false);
    }

    public static boolean enabled() {
        return ENABLED.get();
    }

    @Override
    public void close() {
        ENABLED.set(previous);
    }
}
