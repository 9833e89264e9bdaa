package minitrain.autograd;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * sum and mean over axes; backward spreads the gradient back over the reduced axes. LayerNorm's reference takes
 * its mean and variance with them, CrossEntropy's reference its sum.
 */
public final class Reduce {

    private Reduce() {}

    /** Sum over {@code axes} (all axes when none are given), keeping them as size-1 axes. */
    public static Tensor sum(Tensor a, int... axes) {
        int[] ax = axes.length == 0 ? allAxes(a) : axes;
        INDArray y = a.data.sum(true, ax);
        return Tensor.of(y, "sum", g -> a.accumulate(Nd.zeros(a.shape()).addi(g)), a); // broadcast back
    }

    public static Tensor mean(Tensor a, int... axes) {
        int[] ax = axes.length == 0 ? allAxes(a) : axes;
        long n = 1;
        for (int i : ax) n *= a.shape()[i];
        final double inv = 1.0 / n;
        INDArray y = a.data.sum(true, ax).muli(inv);
        return Tensor.of(y, "mean", g -> a.accumulate(Nd.zeros(a.shape()).addi(g).muli(inv)), a);
    }

    private static int[] allAxes(Tensor a) {
        int[] ax = new int[a.shape().length];
        for (int i = 0; i < ax.length; i++) ax[i] = i;
        return ax;
    }
}
