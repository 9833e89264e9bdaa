package minitrain.autograd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a measurement adds to every operation, installed for a block and removed when the block ends:
 * <pre>
 *   try (var on = OpHook.install(counters)) { ... training steps ... }
 * </pre>
 * The operations themselves know nothing of who listens: {@link Tensor#of} hands every output to the hook,
 * backward reports each operation's time, the kernels report the matrix products they computed, and
 * {@link Blas} asks which format to compute the products in. The bench counts FLOPs and operations this way
 * ({@link Counters}); the drift lab rounds every output to a 16-bit format (minitrain.precision.Rounding).
 * With no hook installed each of those places costs one read of a field.
 *
 * <p>One hook is active for the whole process, not per thread: the kernels' worker threads compute parts of
 * the products too. Install it from the thread that runs the operations (training and evaluation run on one).
 */
public interface OpHook {

    /** An operation's output, as {@link Tensor#of} receives it; the graph keeps what this returns. */
    default INDArray output(String op, INDArray value) {
        return value;
    }

    /** The backward function of an operation {@code op} ran and took {@code nanos}. */
    default void backward(String op, long nanos) {}

    /** A kernel computed {@code batch} matrix products of (m, k) by (k, n), after its parallel parts ended. */
    default void products(long batch, long m, long k, long n) {}

    /** The format {@link Blas} computes matrix products in: null for fp64 (OpenBLAS's dgemm). */
    default DataType productFormat() {
        return null;
    }

    /** Makes {@code hook} the active one until the returned scope is closed (the previous one comes back). */
    static Scope install(OpHook hook) {
        return new Scope(hook);
    }

    /** The hook installed now, or null. */
    static OpHook active() {
        return Scope.active;
    }

    /** Reports matrix products to the active hook, if any (a kernel's one line per product it computed). */
    static void countProducts(long batch, long m, long k, long n) {
        OpHook h = Scope.active;
        if (h != null) h.products(batch, m, k, n);
    }

    /** One installation: closing it puts back the hook that was active before. */
    final class Scope implements AutoCloseable {

        private static volatile OpHook active;
        private final OpHook previous;

        private Scope(OpHook hook) {
            previous = active;
            active = hook;
        }

        @Override
        public void close() {
            active = previous;
        }
    }
}
