package minitrain.autograd;

import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * db += the sum of g's rows: Linear's bias gradient. It used to be a matrix product, a row of ones times g, and
 * OpenBLAS computes a product of one row slowly: it copies all of g into its panels first (2.3-2.6 ms of the
 * shipped step, on the core that also computes dx while the other computes dW, so the step waited for it).
 * These are the same sums in plain loops (in C where the kit's library is loaded, else in Java), in the order
 * OpenBLAS's Haswell kernels (portable mode) add them, so the same bits (ColumnSumsTest compares every value with
 * OpenBLAS's product).
 *
 * <p>That order: the rows are cut into blocks as every product's k is ({@link Blas#kBlock}). In a block, the first
 * rows, a multiple of 8, are dealt in turn to four partial sums (row p to sum p mod 4); the rows left over (fewer
 * than 8) are added to the first partial sum; the block's total is (s0 + s1) + (s2 + s3), added to db in turn.
 * Measured on the widths the model has, multiples of 12: a width that is not ends in narrower tiles that sum in
 * yet other orders, and there, as in the other BLAS modes, OpenBLAS computes the product as before.
 */
final class ColumnSums {

    private ColumnSums() {}

    /**
     * Whether {@link #add} sums here, with OpenBLAS's bits: portable mode, a width of whole 12-column tiles, and
     * products in fp64 (the drift lab's hook has them computed in a 16-bit format instead).
     */
    static boolean inOpenBlasOrder(int width) {
        return Blas.HASWELL_ORDER && width % 12 == 0 && Blas.inFp64();
    }

    /**
     * db += the sum of the rows of g, a dense (rows, width) array, in db's columns of part {@code part} of
     * {@code parts} (db a dense array of width values): each column's sum is its own, so the parts can run on
     * different cores and the bits do not depend on the cut. Where OpenBLAS computes it (see {@link
     * #inOpenBlasOrder}), part 0 computes all of db and the other parts nothing.
     */
    static void add(INDArray g, int rows, int width, INDArray db, int part, int parts) {
        if (!inOpenBlasOrder(width)) {
            if (part == 0) Blas.gemm(false, false, 1, width, rows, ones(rows), 0, rows, g, 0, width, 1, db, 0, width);
            return;
        }
        int from = width * part / parts, cols = width * (part + 1) / parts - from;
        if (cols == 0) return;
        if (Native.LOADED) {   // the same loops in C, on g where it is (lib/src/main/c/column_sums.c)
            if (Native.columnSums(Native.address(g, 0), rows, width, from, cols, Native.address(db, from)) != 0) {
                throw new OutOfMemoryError("the bias gradient's sums found no native memory for their partial sums");
            }
            java.lang.ref.Reference.reachabilityFence(g);
            java.lang.ref.Reference.reachabilityFence(db);
            return;
        }
        DoubleBuffer in = Nd.buffer(g), out = Nd.buffer(db);
        Sums mine = Sums.MINE.get().fit(width);
        double[] row = mine.row, total = mine.total, s0 = mine.partial[0], s1 = mine.partial[1];
        double[] s2 = mine.partial[2], s3 = mine.partial[3];
        out.get(from, total, 0, cols);
        for (int first = 0; first < rows; ) {
            int len = Blas.kBlock(rows - first), dealt = len - len % 8;
            for (double[] s : mine.partial) java.util.Arrays.fill(s, 0, cols, 0.0);
            for (int p = 0; p < len; p++) {
                in.get((first + p) * width + from, row, 0, cols);
                addInto(p < dealt ? mine.partial[p % 4] : s0, row, cols);
            }
            for (int j = 0; j < cols; j++) total[j] += (s0[j] + s1[j]) + (s2[j] + s3[j]);
            first += len;
        }
        out.put(from, total, 0, cols);
        java.lang.ref.Reference.reachabilityFence(g);
        java.lang.ref.Reference.reachabilityFence(db);
    }

    /**
     * sum += row, their first n values. A loop of its own with one index for both arrays, so the JIT compiles it to
     * vector adds: written as partial[offset + j] += row[j] it ran in scalar instructions, 2.5 times as long.
     */
    private static void addInto(double[] sum, double[] row, int n) {
        for (int j = 0; j < n; j++) sum[j] += row[j];
    }

    /** One core's heap arrays, reused from call to call: a stretch of g's row, four partial sums, db's values. */
    private static final class Sums {
        static final ThreadLocal<Sums> MINE = ThreadLocal.withInitial(Sums::new);
        double[] row = new double[0], total = new double[0];
        double[][] partial = new double[4][0];

        /** These arrays, each at least {@code width} long: made again only for a wider g than any before. */
        Sums fit(int width) {
            if (row.length < width) {
                row = new double[width];
                total = new double[width];
                partial = new double[4][width];
            }
            return this;
        }
    }

    /** A (1, n) row of ones, kept per n: the product's left side where OpenBLAS still computes it. */
    private static final java.util.Map<Integer, INDArray> ONES = new java.util.concurrent.ConcurrentHashMap<>();

    private static INDArray ones(int n) {
        // Kept across passes, so made outside the pass's StepMemory.
        return ONES.computeIfAbsent(n, k -> StepMemory.outside(() -> Nd.zeros(1, k).addi(1.0)));
    }
}
