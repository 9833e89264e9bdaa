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
            if (x.requiresGrad) {
                INDArray dx = Nd.zeros(rows, in);
                Nd4j.gemm(g2, w.data, dx, false, false, 1.0, 0.0);              // dx = g W
                Counters.product(1, rows, out, in);
                x.accumulate(dx.reshape(xs));
            }
            if (w.requiresGrad) {
                if (w.grad == null) w.grad = Nd.zeros(out, in);
                Nd4j.gemm(g2, x2, w.grad, true, false, 1.0, 1.0);               // dW += g^T x
                Counters.product(1, out, rows, in);
            }
            if (b != null && b.requiresGrad) b.accumulate(g2.sum(0));            // db += sum over rows
        }, b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
    }
}
