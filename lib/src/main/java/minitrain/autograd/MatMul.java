package minitrain.autograd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batched matrix product alpha * A op(B) over the last two axes, with op(B) = B or B^T, by one ND4J call.
 * The references use it: {@link Attention#reference} twice, scores = q k^T / sqrt(d) on (B, H, T, D) and the
 * weighted sum a v on (B, H, T, T) x (B, H, T, D); {@link Linear#reference} for x W^T. The fast kernels call
 * {@link Blas} instead, on matrices read in place.
 */
public final class MatMul {

    private MatMul() {}

    public static Tensor apply(Tensor a, Tensor b) {
        return apply(a, b, false, 1.0);
    }

    public static Tensor apply(Tensor a, Tensor b, boolean transposeB, double alpha) {
        INDArray y = Nd4j.matmul(Nd.contiguous(a.data), Nd.contiguous(b.data), false, transposeB, false);
        long[] as = a.shape();
        long m = as[as.length - 2], k = as[as.length - 1], n = y.shape()[y.rank() - 1], batch = y.length() / (m * n);
        OpHook.countProducts(batch, m, k, n);
        if (alpha != 1.0) y.muli(alpha);
        return Tensor.of(y, "matmul", g -> {
            if (a.requiresGrad) {
                // dA = g op(B)^T: with op(B) = B^T that is g B.
                INDArray da = Nd4j.matmul(g, b.data, false, !transposeB, false);
                if (alpha != 1.0) da.muli(alpha);
                OpHook.countProducts(batch, m, n, k);
                a.accumulate(da);
            }
            if (b.requiresGrad) {
                // d op(B) = A^T g; for op(B) = B^T, dB = (A^T g)^T = g^T A.
                INDArray db = transposeB ? Nd4j.matmul(g, a.data, true, false, false)
                                         : Nd4j.matmul(a.data, g, true, false, false);
                if (alpha != 1.0) db.muli(alpha);
                OpHook.countProducts(batch, k, m, n);
                b.accumulate(db);
            }
        }, a, b);
    }
}
