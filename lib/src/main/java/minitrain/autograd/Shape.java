package minitrain.autograd;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * reshape, permute and slice: they move values, so backward moves the gradient back. Attention's reference
 * splits qkv and the heads with them; the position embedding is a slice of its table.
 */
public final class Shape {

    private Shape() {}

    public static Tensor reshape(Tensor a, long... shape) {
        long[] from = a.shape();
        return Tensor.of(Nd.contiguous(a.data).reshape(shape), "reshape",
                g -> a.accumulate(Nd.contiguous(g).reshape(from)), a);
    }

    /** Axes reordered; the result is copied to C order so the next product reads it contiguously. */
    public static Tensor permute(Tensor a, int... dims) {
        int[] inverse = new int[dims.length];
        for (int i = 0; i < dims.length; i++) inverse[dims[i]] = i;
        return Tensor.of(a.data.permute(dims).dup('c'), "permute", g -> a.accumulate(g.permute(inverse)), a);
    }

    /** Elements {@code from} (inclusive) to {@code to} (exclusive) along {@code axis}. */
    public static Tensor slice(Tensor a, int axis, long from, long to) {
        INDArrayIndex[] idx = new INDArrayIndex[a.shape().length];
        for (int i = 0; i < idx.length; i++) idx[i] = i == axis ? NDArrayIndex.interval(from, to) : NDArrayIndex.all();
        INDArray y = a.data.get(idx).dup('c');
        return Tensor.of(y, "slice", g -> {
            INDArray full = Nd.zeros(a.shape());
            full.get(idx).assign(g);
            a.accumulate(full);
        }, a);
    }
}
