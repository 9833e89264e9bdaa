package minitrain.autograd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small helpers around ND4J: every array is fp64 and C-ordered. The fused kernels (layer norm, GELU,
 * softmax, cross-entropy) copy an array out to a {@code double[]}, loop, and copy back: one bulk copy is
 * far cheaper than element access through ND4J, and the loops read like the math.
 */
public final class Nd {

    static {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    private Nd() {}

    public static INDArray zeros(long... shape) {
        return Nd4j.create(DataType.DOUBLE, shape);
    }

    /** A copy of the values in C order (a view is copied through dup first). */
    public static double[] values(INDArray a) {
        if (a.isView() || a.ordering() != 'c' || a.data().length() != a.length()) a = a.dup('c');
        double[] out = new double[(int) a.length()];
        a.data().asNioDouble().get(out); // one bulk copy (element by element is ~20x slower)
        return out;
    }

    public static INDArray array(double[] values, long... shape) {
        INDArray a = Nd4j.createUninitialized(DataType.DOUBLE, shape, 'c');
        a.data().asNioDouble().put(values);
        return a;
    }

    /**
     * Runs {@code body} for rows 0..rows-1 on all cores. The fused kernels are row-independent (a softmax
     * row, a LayerNorm row), so rows can be split between threads without changing a single bit.
     */
    public static void forRows(int rows, java.util.function.IntConsumer body) {
        java.util.stream.IntStream.range(0, rows).parallel().forEach(body);
    }

    /** A contiguous C-ordered array with the same values (no copy when it already is one). */
    public static INDArray contiguous(INDArray a) {
        return a.isView() || a.ordering() != 'c' ? a.dup('c') : a;
    }
}
