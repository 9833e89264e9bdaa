package minitrain.autograd;


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
        double[] tab = Nd.values(table.data);
        double[] out = new double[bsz * t * c];
        for (int b = 0; b < bsz; b++) {
            for (int i = 0; i < t; i++) {
                int row = idx[b][i];
                if (row < 0 || row >= rows) {
                    throw new IllegalArgumentException("index " + row + " outside 0.." + (rows - 1));
                }
                System.arraycopy(tab, row * c, out, (b * t + i) * c, c);
            }
        }
        return Tensor.of(Nd.array(out, bsz, t, c), "embedding", g -> {
            double[] gv = Nd.values(g);
            double[] acc = new double[rows * c];
            for (int b = 0; b < bsz; b++) {
                for (int i = 0; i < t; i++) {
                    int src = (b * t + i) * c, dst = idx[b][i] * c;
                    for (int k = 0; k < c; k++) acc[dst + k] += gv[src + k]; // += : repeated tokens add up
                }
            }
            table.accumulate(Nd.array(acc, rows, c));
        }, table);
    }

    /** Rows 0..t-1 of the table (the position embedding of a sequence of length t); result (t, C). */
    public static Tensor positions(Tensor table, int t) {
        return Shape.slice(table, 0, 0, t);
    }

}
