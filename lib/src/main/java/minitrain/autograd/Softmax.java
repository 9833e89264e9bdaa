package minitrain.autograd;

/**
 * softmax and log-softmax along the last axis, stabilised by subtracting the row maximum (exp of a large
 * logit would overflow). Entries of -infinity (masked attention scores) get probability exactly 0.
 * The references of {@link Attention} and {@link CrossEntropy} are built on them.
 */
public final class Softmax {

    private Softmax() {}

    public static Tensor softmax(Tensor x) {
        long[] shape = x.shape();
        int n = (int) shape[shape.length - 1];
        double[] v = Nd.values(x.data);
        double[] y = new double[v.length];
        for (int o = 0; o < v.length; o += n) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < n; k++) max = Math.max(max, v[o + k]);
            double sum = 0;
            for (int k = 0; k < n; k++) {
                if (v[o + k] == Double.NEGATIVE_INFINITY) continue; // masked: weight exactly 0, no exp
                double e = Math.exp(v[o + k] - max);
                y[o + k] = e;
                sum += e;
            }
            double inv = 1 / sum;
            for (int k = 0; k < n; k++) y[o + k] *= inv;
        }
        return Tensor.of(Nd.array(y, shape), "softmax", g -> {
            double[] gv = Nd.values(g), dx = new double[gv.length];
            for (int o = 0; o < gv.length; o += n) {
                double dot = 0; // dx = y * (g - sum(g * y))
                for (int k = 0; k < n; k++) dot += gv[o + k] * y[o + k];
                for (int k = 0; k < n; k++) dx[o + k] = y[o + k] * (gv[o + k] - dot);
            }
            x.accumulate(Nd.array(dx, shape));
        }, x);
    }

    public static Tensor logSoftmax(Tensor x) {
        long[] shape = x.shape();
        int n = (int) shape[shape.length - 1];
        double[] v = Nd.values(x.data);
        double[] y = new double[v.length];
        for (int o = 0; o < v.length; o += n) {
            double lse = logSumExp(v, o, n);
            for (int k = 0; k < n; k++) y[o + k] = v[o + k] - lse;
        }
        return Tensor.of(Nd.array(y, shape), "log_softmax", g -> {
            double[] gv = Nd.values(g), dx = new double[gv.length];
            for (int o = 0; o < gv.length; o += n) {
                double sum = 0; // dx = g - softmax * sum(g)
                for (int k = 0; k < n; k++) sum += gv[o + k];
                for (int k = 0; k < n; k++) dx[o + k] = gv[o + k] - Math.exp(y[o + k]) * sum;
            }
            x.accumulate(Nd.array(dx, shape));
        }, x);
    }

    static double logSumExp(double[] v, int o, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) max = Math.max(max, v[o + k]);
        double sum = 0;
        for (int k = 0; k < n; k++) sum += Math.exp(v[o + k] - max);
        return max + Math.log(sum);
    }
}
