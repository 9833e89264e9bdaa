package minitrain.autograd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Small helpers around ND4J: every array is fp64 and C-ordered. Element access through ND4J's getDouble is
 * far too slow for a loop, so a hand-written kernel either reads and writes an array's memory in place
 * through {@link #buffer} (the hot ones: attention, layer norm, GELU, dropout), or copies it out to a
 * {@code double[]} with {@link #values} and back with {@link #array} (the small ones), where the loops
 * read most like the math.
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
        if (!dense(a)) a = a.dup('c');
        double[] out = new double[(int) a.length()];
        java.nio.DoubleBuffer buffer = a.data().asNioDouble();
        buffer.position((int) a.offset());
        buffer.get(out); // one bulk copy (element by element is ~20x slower)
        return out;
    }

    /**
     * The values of a dense array (see {@link #dense}; {@link #contiguous} makes one) as a buffer over the
     * array's own native memory, index 0 its first value: a kernel reads and writes it in place, with no copy
     * to the Java heap and back (measured: copying a (128, 40, 40) array out costs four times a pass over it).
     * Absolute get(i) and put(i, v) are safe from several threads on disjoint indices.
     * <p>The buffer does not keep the memory alive: keep the array itself referenced (return it, capture it in
     * the backward function) for as long as the buffer is used.
     */
    public static java.nio.DoubleBuffer buffer(INDArray a) {
        if (!dense(a)) throw new IllegalArgumentException("Nd.buffer needs a dense C-ordered array, got " + a.shapeInfoToString());
        java.nio.DoubleBuffer all = a.data().asNioDouble();
        return all.position((int) a.offset()).limit((int) (a.offset() + a.length())).slice();
    }

    /** A loop over indices from..to-1: each call writes only its own indices. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /** Runs {@code body} over 0..n-1 in chunks of 4096 on all cores: for element-wise loops. */
    public static void forChunks(long n, Range body) {
        int chunk = 4096;
        forRows((int) ((n + chunk - 1) / chunk), c -> body.run(c * chunk, (int) Math.min(n, (long) (c + 1) * chunk)));
    }

    /**
     * True when the values lie in C order, one after another, from the array's offset: a reshape or a slice of
     * leading rows is such a view, and reading it needs no copy first (ND4J calls every reshape a view).
     * A dimension of size 1 never steps, so its stride does not matter: ND4J's own check demands one that even
     * its fresh arrays do not have, and refused every (B, 1, C) array, a one-token input, as not dense.
     */
    static boolean dense(INDArray a) {
        if (a.ordering() != 'c') return false;
        long[] shape = a.shape(), stride = a.stride();
        long step = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != step) return false;
            step *= shape[i];
        }
        return true;
    }

    public static INDArray array(double[] values, long... shape) {
        INDArray a = uninitialized(shape);
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

    /**
     * Runs {@code top} on this thread and {@code bottom} on the other core, and returns when both are done.
     * For two independent pieces of work that write different arrays (or different rows of one), so the bits
     * never depend on which finishes first. Neither may create large arrays: the other thread has no
     * {@link StepMemory}, so its inputs and outputs are made beforehand.
     */
    public static void onBothCores(Runnable top, Runnable bottom) {
        java.util.concurrent.CompletableFuture<Void> other = java.util.concurrent.CompletableFuture.runAsync(bottom);
        top.run();
        other.join();
    }

    /** Rows from..to of a (rows, cols) matrix, or batches from..to of a (batch, m, n) stack: a view. */
    public static INDArray rows(INDArray a, long from, long to) {
        return a.rank() == 2 ? a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all())
                             : a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all());
    }

    /** An array whose every value the caller is about to overwrite (a product with beta = 0): not zeroed. */
    public static INDArray uninitialized(long... shape) {
        return Nd4j.createUninitialized(DataType.DOUBLE, shape, 'c');
    }

    /** A contiguous C-ordered array with the same values (no copy when it already is one). */
    public static INDArray contiguous(INDArray a) {
        return dense(a) ? a : a.dup('c');
    }
}
