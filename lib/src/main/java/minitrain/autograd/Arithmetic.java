package minitrain.autograd;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * add, sub, mul, div (and scale, sqrt) with NumPy broadcasting. Backward sums the gradient over every axis that was
 * broadcast, so a bias of shape (C) added to (B, T, C) receives the sum over B and T.
 */
public final class Arithmetic {

    private Arithmetic() {}

    public static Tensor add(Tensor a, Tensor b) {
        return Tensor.of(sum(a.data, b.data), "add", g -> {
            INDArray ga = sumTo(g, a.shape()), gb = sumTo(g, b.shape());
            if (ga == gb) {                 // no axis summed: both inputs receive g itself, which neither may change
                a.accumulateShared(ga);
                b.accumulateShared(gb);
            } else {
                a.accumulate(ga);
                b.accumulate(gb);
            }
        }, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return Tensor.of(a.data.sub(b.data), "sub", g -> {
            a.accumulate(sumTo(g, a.shape()));
            b.accumulate(sumTo(g.neg(), b.shape()));
        }, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return Tensor.of(a.data.mul(b.data), "mul", g -> {
            if (a.requiresGrad) a.accumulate(sumTo(g.mul(b.data), a.shape()));
            if (b.requiresGrad) b.accumulate(sumTo(g.mul(a.data), b.shape()));
        }, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        return Tensor.of(a.data.div(b.data), "div", g -> {
            if (a.requiresGrad) a.accumulate(sumTo(g.div(b.data), a.shape()));
            // d(a/b)/db = -a / b^2
            if (b.requiresGrad) b.accumulate(sumTo(g.mul(a.data).div(b.data).div(b.data).negi(), b.shape()));
        }, a, b);
    }

    public static Tensor scale(Tensor a, double s) {
        return Tensor.of(a.data.mul(s), "scale", g -> a.accumulate(g.mul(s)), a);
    }

    /** Square root, element by element: d sqrt(a) / da = 1 / (2 sqrt(a)). */
    public static Tensor sqrt(Tensor a) {
        INDArray y = Transforms.sqrt(a.data, true);
        return Tensor.of(y, "sqrt", g -> a.accumulate(g.div(y).muli(0.5)), a);
    }

    /**
     * a + b. Two dense arrays of one shape (the residual stream's adds) are summed on all cores ({@link Nd#sum});
     * anything else (a broadcast, a small array) by ND4J, on one core. Each value is the same one addition either
     * way. On the Intel Xeon of docs/performance.md ND4J's add took 1.5 ms a shipped step, this 1.1.
     */
    static INDArray sum(INDArray x, INDArray y) {
        boolean sameShape = java.util.Arrays.equals(x.shape(), y.shape());
        if (!sameShape || x.length() < 8L * Nd.PAIR_BLOCK || !Nd.dense(x) || !Nd.dense(y)) {
            return x.add(y);
        }
        return Nd.sum(x, y);
    }

    /** Sums {@code g} down to {@code shape}: over leading axes it lacks and over axes where it has size 1. */
    static INDArray sumTo(INDArray g, long[] shape) {
        long[] gs = g.shape();
        int lead = gs.length - shape.length;
        List<Integer> axes = new ArrayList<>();
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) axes.add(i);
        }
        if (axes.isEmpty()) return g;
        INDArray s = g.sum(true, axes.stream().mapToInt(Integer::intValue).toArray());
        return s.reshape(shape);
    }
}
