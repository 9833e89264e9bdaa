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
        return ONES.computeIfAbsent(n, k -> Nd.zeros(1, k).addi(1.0));
    }

    public static Tensor apply(Tensor x, Tensor w, Tensor b) {
        long[] xs = x.shape();
        long in = xs[xs.length - 1], out = w.shape()[0];
        if (w.shape()[1] != in) throw new IllegalArgumentException("linear: input width " + in + " vs weight " + w);
        long rows = x.data.length() / in;
        INDArray x2 = Nd.contiguous(x.data).reshape(rows, in);                   // (M, in)
        INDArray y = Nd.zeros(rows, out);                                         // (M, out)
        Nd4j.gemm(x2, w.data, y, false, true, 1.0, 0.0);
        Counters.product(1, rows, in, out);
        if (b != null) y.addiRowVector(b.data);
        long[] ys = xs.clone();
        ys[ys.length - 1] = out;
        return Tensor.of(y.reshape(ys), "linear", g -> {
            INDArray g2 = Nd.contiguous(g).reshape(rows, out);                   // (M, out)
            INDArray dx = x.requiresGrad ? Nd.zeros(rows, in) : null;
            if (w.requiresGrad && w.grad == null) w.grad = Nd.zeros(out, in);
            if (b != null && b.requiresGrad && b.grad == null) b.grad = Nd.zeros(out);
            // The two products are independent: one per core (BLAS runs each on one thread here, see
            // bin/minitrain). Each writes its own array, so the bits do not depend on which finishes first.
            Runnable inputGrad = () -> {
                if (dx != null) Nd4j.gemm(g2, w.data, dx, false, false, 1.0, 0.0);          // dx = g W
            };
            Runnable paramGrads = () -> {
                if (w.requiresGrad) Nd4j.gemm(g2, x2, w.grad, true, false, 1.0, 1.0);       // dW += g^T x
                // db += sum over rows, as a product with a row of ones (ND4J's column sum measured slower).
                if (b != null && b.requiresGrad) Nd4j.gemm(ones(rows), g2, b.grad.reshape(1, out), false, false, 1.0, 1.0);
            };
            java.util.concurrent.CompletableFuture<Void> other = java.util.concurrent.CompletableFuture.runAsync(paramGrads);
            inputGrad.run();
            other.join();
            if (dx != null) {
                Counters.product(1, rows, out, in);
                x.accumulateOwned(dx.reshape(xs));   // dx is this kernel's own array: kept, not copied
            }
            if (w.requiresGrad) Counters.product(1, out, rows, in);
        }, b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
    }
}
