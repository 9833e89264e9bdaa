package minitrain.autograd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * y = x W^T + b, with W stored [out, in] as torch.nn.Linear does. x is (..., in); y is (..., out).
 * Both products go through {@code Nd4j.gemm} into preallocated arrays (ND4J's mmul allocates and is
 * about ten times slower here), and the weight gradient is accumulated by gemm itself (beta = 1).
 */
public final class Linear {

    private Linear() {}

    /** A (1, n) row of ones, kept per n: the bias gradient's summing vector. */
    private static final java.util.Map<Long, INDArray> ONES = new java.util.concurrent.ConcurrentHashMap<>();

    private static INDArray ones(long n) {
        // Kept across passes, so made outside the pass's StepMemory.
        return ONES.computeIfAbsent(n, k -> StepMemory.outside(() -> Nd.zeros(1, k).addi(1.0)));
    }

    public static Tensor apply(Tensor x, Tensor w, Tensor b) {
        long[] xs = x.shape();
        long in = xs[xs.length - 1], out = w.shape()[0];
        if (w.shape()[1] != in) throw new IllegalArgumentException("linear: input width " + in + " vs weight " + w);
        long rows = x.data.length() / in;
        INDArray x2 = Nd.contiguous(x.data).reshape(rows, in);                   // (M, in)
        INDArray y = Nd.uninitialized(rows, out);                                 // (M, out)
        Rounding.product(x2, w.data, y, false, true);                               // y = x W^T (fp64 but in the drift lab)
        if (b != null) y.addiRowVector(b.data);
        Counters.product(1, rows, in, out);
        long[] ys = xs.clone();
        ys[ys.length - 1] = out;
        return Tensor.of(y.reshape(ys), "linear", g -> {
            INDArray g2 = Nd.contiguous(g).reshape(rows, out);                   // (M, out)
            INDArray dx = x.requiresGrad ? Nd.uninitialized(rows, in) : null;
            INDArray dw = w.requiresGrad ? w.gradient() : null;
            INDArray db = b != null && b.requiresGrad ? b.gradient().reshape(1, out) : null;
            INDArray sum = db != null ? ones(rows) : null;
            // The two products are independent: one per core (BLAS runs each on one thread, see bin/blas-env).
            // Each writes its own array, so the bits do not depend on which finishes first.
            Runnable inputGrad = () -> {
                if (dx != null) Nd4j.gemm(g2, w.data, dx, false, false, 1.0, 0.0);          // dx = g W
            };
            Runnable paramGrads = () -> {
                if (dw != null) Nd4j.gemm(g2, x2, dw, true, false, 1.0, 1.0);                // dW += g^T x
                // db += sum over rows, as a product with a row of ones (ND4J's column sum measured slower).
                if (db != null) Nd4j.gemm(sum, g2, db, false, false, 1.0, 1.0);
            };
            Nd.onBothCores(inputGrad, paramGrads);
            if (dx != null) {
                Counters.product(1, rows, out, in);
                x.accumulateOwned(dx.reshape(xs));   // dx is this kernel's own array: kept, not copied
            }
            if (w.requiresGrad) Counters.product(1, out, rows, in);
        }, b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
    }
}
