package minitrain.autograd;

import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row lookup: out[b, t, :] = table[idx[b][t], :]. Backward is a scatter-add: a token that occurs five
 * times in the batch receives the sum of its five gradients in its one row.
 */
public final class Embedding {

    private Embedding() {}

    /** idx (B, T) of row numbers; table (N, C); result (B, T, C). */
    public static Tensor lookup(Tensor table, int[][] idx) {
        int rows = (int) table.shape()[0], c = (int) table.shape()[1];
        int bsz = idx.length, t = idx[0].length;
        // Read and written in place in native memory: heap copies of (B, T, C) arrays each step are garbage.
        INDArray tableData = Nd.contiguous(table.data);
        DoubleBuffer tab = Nd.buffer(tableData);
        INDArray out = Nd.uninitialized(bsz, t, c);
        DoubleBuffer o = Nd.buffer(out);
        for (int b = 0; b < bsz; b++) {
            for (int i = 0; i < t; i++) {
                int row = idx[b][i];
                if (row < 0 || row >= rows) {
                    throw new IllegalArgumentException("index " + row + " outside 0.." + (rows - 1));
                }
                o.put((b * t + i) * c, tab, row * c, c);
            }
        }
        java.lang.ref.Reference.reachabilityFence(tableData);
        return Tensor.of(out, "embedding", g -> {
            INDArray gc = Nd.contiguous(g);
            DoubleBuffer gv = Nd.buffer(gc);
            double[] acc = new double[rows * c];
            for (int b = 0; b < bsz; b++) {
                for (int i = 0; i < t; i++) {
                    int src = (b * t + i) * c, dst = idx[b][i] * c;
                    for (int k = 0; k < c; k++) acc[dst + k] += gv.get(src + k); // += : repeated tokens add up
                }
            }
            java.lang.ref.Reference.reachabilityFence(gc);
            table.accumulate(Nd.array(acc, rows, c));
        }, table);
    }

    /** Rows 0..t-1 of the table (the position embedding of a sequence of length t); result (t, C). */
    public static Tensor positions(Tensor table, int t) {
        return Shape.slice(table, 0, 0, t);
    }

}
