package minitrain.autograd;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Small helpers around ND4J: every array is fp64 and C-ordered. Element access through ND4J's getDouble is
 * far too slow for a loop, so a hand-written kernel either reads and writes an array's memory in place
 * through {@link #buffer} (the hot ones: layer norm, GELU; attention copies one head's block at a time to
 * a {@link #scratch} array and back), or copies it out to a {@code double[]} with {@link #values} and back
 * with {@link #array} (the small ones), where the loops read most like the math. {@link #inTurns} shares a
 * kernel's work between the cores ({@link #inParts} where every cut costs).
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
        buffer.get(out); // one bulk copy: element by element is many times slower
        return out;
    }

    /**
     * The values of a dense array copied into {@code into} (from index 0; it may be longer), which is returned: with
     * a {@link #scratch} array, a copy made every step that leaves no garbage behind.
     */
    public static double[] copy(INDArray a, double[] into) {
        buffer(a).get(into, 0, (int) a.length());
        return into;
    }

    /** The first a.length() values of {@code from} written into the dense array {@code a}. */
    public static void copy(double[] from, INDArray a) {
        buffer(a).put(from, 0, (int) a.length());
    }

    /**
     * The values of a dense array (see {@link #dense}; {@link #contiguous} makes one) as a buffer over the
     * array's own native memory, index 0 its first value: a kernel reads and writes it in place, with no copy
     * to the Java heap and back (copying a large array out costs more than a pass over it: docs/performance.md).
     * Absolute get(i) and put(i, v) are safe from several threads on disjoint indices.
     * <p>The buffer does not keep the memory alive: keep the array itself referenced (return it, capture it in
     * the backward function) for as long as the buffer is used.
     */
    public static java.nio.DoubleBuffer buffer(INDArray a) {
        if (!dense(a)) {
            throw new IllegalArgumentException("Nd.buffer needs a dense C-ordered array, got " + a.shapeInfoToString());
        }
        java.nio.DoubleBuffer all = a.data().asNioDouble();
        return all.position((int) a.offset()).limit((int) (a.offset() + a.length())).slice();
    }

    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[3][0]);

    /**
     * A heap array of at least n values, this thread's own, reused from call to call: a kernel's working copy
     * of one block (one head's scores). Loops over a heap array run several times faster than absolute
     * get and put on a buffer, and one bulk copy in and out costs little. Three slots, for three blocks at once.
     */
    public static double[] scratch(int slot, int n) {
        double[][] mine = SCRATCH.get();
        if (mine[slot].length < n) mine[slot] = new double[n];
        return mine[slot];
    }

    /** A loop over indices from..to-1: each call writes only its own indices. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /** One block of a {@link #forBlocks} loop: indices from..from+len-1, with its core's working arrays. */
    @FunctionalInterface
    public interface Block<A> {
        void run(A arrays, int from, int len);
    }

    /**
     * Runs {@code body} over 0..n-1 in blocks of {@code size} on all cores ({@link #inTurns}), each core with its own
     * working arrays, from {@code arrays}: for element-wise kernels that fill a block in heap arrays small enough to
     * stay in the cache. Kept from call to call (a kernel's ThreadLocal): arrays made afresh at each call were a
     * megabyte of garbage a step. Looked up once per call, not per block as {@link #scratch} is.
     */
    static <A> void forBlocks(long n, int size, ThreadLocal<A> arrays, Block<A> body) {
        inTurns((int) ((n + size - 1) / size), () -> {
            A mine = arrays.get();
            return (first, last) -> {
                for (int c = first; c < last; c++) {
                    long from = (long) c * size;
                    body.run(mine, (int) from, (int) Math.min(size, n - from));
                }
            };
        });
    }

    /** x + y, value by value, for two dense arrays of one length, on all cores: see {@link #pairwise}. */
    static INDArray sum(INDArray x, INDArray y) {
        return pairwise(x, y, false);
    }

    /** x * y, value by value, for two dense arrays of one length, on all cores: see {@link #pairwise}. */
    static INDArray product(INDArray x, INDArray y) {
        return pairwise(x, y, true);
    }

    /** Values a piece of a C kernel's loop ({@link #inPieces}): the JNI call's cost is nothing beside the piece's. */
    private static final int NATIVE_PIECE = 4096;

    /** One piece of an {@link #inPieces} loop: values from..from+len-1. */
    @FunctionalInterface
    interface Piece {
        void run(long from, long len);
    }

    /**
     * Runs {@code body} over 0..n-1 in pieces on all cores ({@link #inTurns}): for a kernel in C called once a
     * piece on the arrays' own memory, where no bit depends on which core computes what.
     */
    static void inPieces(long n, Piece body) {
        inTurns((int) ((n + NATIVE_PIECE - 1) / NATIVE_PIECE), () -> (first, last) -> {
            long from = (long) first * NATIVE_PIECE;
            body.run(from, Math.min(n, (long) last * NATIVE_PIECE) - from);
        });
    }

    /** One core's heap arrays for {@link #pairwise}: a block of each input and of the result. */
    static final int PAIR_BLOCK = 512;
    private static final ThreadLocal<double[][]> PAIR_BLOCKS =
            ThreadLocal.withInitial(() -> new double[3][PAIR_BLOCK]);

    /**
     * A new array of x + y or x * y, in the shape of x, in pieces on all cores: the same one operation a value as
     * ND4J's add and mul, which run on one core. For the residual adds and the backward of dropout and GELU
     * (docs/performance.md). Where the kit's C library is loaded, a piece is a loop over the arrays' own memory
     * ({@link Native#pairwise}); else each block is copied to heap arrays, where the loop runs in vector
     * instructions, and back.
     */
    private static INDArray pairwise(INDArray x, INDArray y, boolean multiply) {
        if (x.length() != y.length()) {
            throw new IllegalArgumentException("Nd.pairwise: " + x.length() + " values against " + y.length());
        }
        INDArray out = uninitialized(x.shape());
        long n = out.length();
        if (Native.LOADED) {
            long x0 = Native.address(x, 0), y0 = Native.address(y, 0), out0 = Native.address(out, 0);
            inPieces(n, (from, len) -> Native.pairwise(x0 + from * Double.BYTES, y0 + from * Double.BYTES,
                    out0 + from * Double.BYTES, len, multiply));
        } else {
            java.nio.DoubleBuffer xv = buffer(x), yv = buffer(y), result = buffer(out);
            forBlocks(n, PAIR_BLOCK, PAIR_BLOCKS, (b, from, len) -> {
                double[] u = b[0], v = b[1], w = b[2];
                xv.get(from, u, 0, len);
                yv.get(from, v, 0, len);
                if (multiply) {
                    for (int i = 0; i < len; i++) w[i] = u[i] * v[i];
                } else {
                    for (int i = 0; i < len; i++) w[i] = u[i] + v[i];
                }
                result.put(from, w, 0, len);
            });
        }
        java.lang.ref.Reference.reachabilityFence(x);
        java.lang.ref.Reference.reachabilityFence(y);
        return out;
    }

    /** Pieces per core in {@link #inTurns}: more balance the cores better, each costs a hand-out. */
    private static final int PIECES_PER_CORE = 8;

    /**
     * Runs a loop over 0..n-1 on all cores, in pieces handed out in turn: each core takes the next piece when it is
     * done with its last, so the cores end within a piece of each other. Cut beforehand into one equal part per
     * core, one core waited for the other for 10-15% of a kernel's time (a core slowed for a moment, by the cache
     * or by another process). {@code perCore} gives each core its loop body (and with it the core's working
     * arrays). Only for kernels where no bit depends on which core computes what.
     */
    static void inTurns(int n, java.util.function.Supplier<Range> perCore) {
        if (n <= 0) return;
        int piece = Math.max(1, n / (PIECES_PER_CORE * Cores.COUNT));
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable core = () -> {
            Range body = perCore.get();
            for (int from; (from = next.getAndAdd(piece)) < n; ) body.run(from, Math.min(n, from + piece));
        };
        Runnable[] cores = new Runnable[Math.min(Cores.COUNT, (n + piece - 1) / piece)];
        java.util.Arrays.fill(cores, core);
        Cores.run(cores);
    }

    /**
     * Runs {@code body} over 0..n-1 cut into one contiguous part per core ({@link Cores}), this thread doing the
     * first: the fewest cuts, for work where each cut costs (Linear's products, each of which packs W again).
     * Equal parts still end at different times; where cuts are cheap, {@link #inTurns} balances the cores better.
     */
    static void inParts(int n, Range body) {
        int parts = Math.min(n, Cores.COUNT);
        if (parts <= 1) {
            if (n > 0) body.run(0, n);
            return;
        }
        Runnable[] work = new Runnable[parts];
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts), to = (int) ((long) n * (p + 1) / parts);
            work[p] = () -> body.run(from, to);
        }
        Cores.run(work);
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
        inTurns(rows, () -> (from, to) -> {
            for (int r = from; r < to; r++) body.accept(r);
        });
    }

    /**
     * Runs {@code top} on this thread and {@code bottom} on the other core, and returns when both are done.
     * For two independent pieces of work that write different arrays (or different rows of one), so the bits
     * never depend on which finishes first. Neither may create large arrays: the other thread has no
     * {@link StepMemory}, so its inputs and outputs are made beforehand.
     */
    public static void onBothCores(Runnable top, Runnable bottom) {
        Cores.run(top, bottom);
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
