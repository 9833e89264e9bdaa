package minitrain.autograd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * y = x W^T + b, with W stored [out, in] as torch.nn.Linear does. x is (..., in); y is (..., out).
 */
public final class Linear {

    private Linear() {}

    /**
     * Where the forward product's rows may be cut between cores. OpenBLAS's Haswell kernels (portable mode)
     * take a product's rows 24 at a time (3 times their 8-row tile), the rest in smaller tiles, and a tile of
     * one row sums its terms in another order (four interleaved partial sums) than all the others. Cut
     * anywhere, a part can end in a one-row tile where one product over all rows has none, and a few rows
     * change in their last bits with the number of cores (measured: 2 to 8 rows of 800 to 2048, for 3 to 8
     * parts); cut at multiples of 24, every part meets the tiles that the whole product meets.
     */
    static final int ROW_BLOCK = 24;

    /** The lesson: every row of x times W^T, plus the bias. */
    public static Tensor reference(Tensor x, Tensor w, Tensor b) {
        long[] xs = x.shape();
        long in = xs[xs.length - 1];
        Tensor rows = Shape.reshape(x, x.data.length() / in, in);                    // (M, in)
        Tensor y = MatMul.apply(rows, w, true, 1.0);                                  // (M, out)
        if (b != null) y = Arithmetic.add(y, b);
        long[] ys = xs.clone();
        ys[ys.length - 1] = w.shape()[0];
        return Shape.reshape(y, ys);
    }

    /**
     * The fast kernel; it must equal {@link #reference}, to 1e-14 relative (ReferenceTest: the bias is added
     * first, and BLAS adds its partial sums into it). What it does differently, and why:
     * <ul>
     *   <li>The products go straight to BLAS ({@link Blas}) into arrays made for them (ND4J's mmul allocates).
     *   <li>Each row of y starts as the bias and the product adds into it (beta = 1): one pass fewer than adding
     *       the bias after, and BLAS need not zero y first. The kit's AVX-512 kernel adds it to the bias itself,
     *       the same bits without setting the rows first ({@link Blas#gemmOnBias}).
     *   <li>The rows are independent: a part on each core, the same bits as one product over all of them.
     *   <li>Backward: dx = g W on one core while the other adds dW += g^T x, the parameter gradients straight
     *       into their arrays (beta = 1, no temporary); then db += (sum of g's rows) on both, half its columns each
     *       ({@link ColumnSums}: plain loops in OpenBLAS's order). The weight and bias must be parameters
     *       ({@link Tensor#param}).
     * </ul>
     */
    public static Tensor apply(Tensor x, Tensor w, Tensor b) {
        long[] xs = x.shape();
        int in = (int) xs[xs.length - 1], out = (int) w.shape()[0];
        if (w.shape()[1] != in) {
            throw new IllegalArgumentException("linear: input width " + in + " vs weight " + w);
        }
        int rows = (int) (x.data.length() / in);
        INDArray x2 = Nd.contiguous(x.data);                                      // (M, in) as laid out
        INDArray y = Nd.uninitialized(rows, out);                                 // (M, out)
        // y = b + x W^T: each row starts as the bias and the product adds into it (Blas.gemmOnBias).
        INDArray bias = b != null ? Nd.contiguous(b.data) : null;
        Nd.Range product = (from, to) -> {
            if (bias != null) {
                Blas.gemmOnBias(false, true, to - from, out, in, x2, (long) from * in, in, w.data, 0, in, bias,
                        y, (long) from * out, out);
            } else {
                Blas.gemm(false, true, to - from, out, in, x2, (long) from * in, in, w.data, 0, in, 0,
                        y, (long) from * out, out);
            }
        };
        // The rows are independent: a part on each core, cut at a multiple of ROW_BLOCK rows, which gives the
        // same bits as one product over all of them, whatever the number of cores (see ROW_BLOCK). Not handed out
        // in smaller pieces (Nd.inTurns): each product packs W again, and the step took longer.
        int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        Nd.inParts(blocks, (first, last) -> product.run(first * ROW_BLOCK, Math.min(rows, last * ROW_BLOCK)));
        OpHook.countProducts(1, rows, in, out);
        long[] ys = xs.clone();
        ys[ys.length - 1] = out;
        return Tensor.of(y.reshape(ys), "linear", g -> {
            INDArray g2 = Nd.contiguous(g);                                       // (M, out) as laid out
            INDArray dx = x.requiresGrad ? Nd.uninitialized(xs) : null;
            INDArray dw = w.requiresGrad ? w.parameterGradient() : null;
            INDArray db = b != null && b.requiresGrad ? b.parameterGradient() : null;
            // The products are independent: dx on this core, dW on the other (BLAS runs each on one thread, see
            // bin/blas-env), each core then half of db's columns. Each writes its own values, so the bits do not
            // depend on which finishes first. dx and dW cost the same FLOPs; db, the sum of g's rows, reads all
            // of g again: on one core it kept the other waiting (docs/performance.md, "The bias gradient").
            Runnable inputGrads = () -> {
                if (dx != null) Blas.gemm(false, false, rows, in, out, g2, 0, out, w.data, 0, in, 0, dx, 0, in); // g W
                if (db != null) ColumnSums.add(g2, rows, out, db, 0, 2);
            };
            Runnable weightGrad = () -> {
                if (dw != null) Blas.gemm(true, false, out, in, rows, g2, 0, out, x2, 0, in, 1, dw, 0, in); // += g^T x
                if (db != null) ColumnSums.add(g2, rows, out, db, 1, 2);
            };
            Nd.onBothCores(inputGrads, weightGrad);
            if (dx != null) {
                OpHook.countProducts(1, rows, out, in);
                x.accumulate(dx);
            }
            if (w.requiresGrad) OpHook.countProducts(1, out, rows, in);
        }, b == null ? new Tensor[] {x, w} : new Tensor[] {x, w, b});
    }
}
