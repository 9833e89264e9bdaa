package minitrain.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Collections;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A value in the computation graph (micrograd's {@code Value}, for arrays): an fp64 ND4J array, the
 * gradient of the loss with respect to it, the tensors it was computed from, and the function that
 * passes its gradient back to them. Parameters are leaves that keep their gradient between steps.
 */
public final class Tensor {

    /** Passes this tensor's gradient (same shape as its data) on to its parents. */
    @FunctionalInterface
    public interface Backward {
        void apply(INDArray gradOut);
    }

    public final INDArray data;
    /** d loss / d data; null until backward reaches this tensor (or zeroed by the optimizer for parameters). */
    public INDArray grad;
    public final String op;
    public final boolean requiresGrad;
    private final Tensor[] parents;
    private final Backward backward;

    private Tensor(INDArray data, String op, boolean requiresGrad, Tensor[] parents, Backward backward) {
        this.data = data;
        this.op = op;
        this.requiresGrad = requiresGrad;
        this.parents = parents;
        this.backward = backward;
    }

    /** A trainable leaf: the optimizer reads its gradient. */
    public static Tensor param(INDArray data) {
        return new Tensor(data, "param", true, new Tensor[0], null);
    }

    /** Input data: no gradient flows into it. */
    public static Tensor constant(INDArray data) {
        return new Tensor(data, "const", false, new Tensor[0], null);
    }

    /**
     * The output of an operation. It joins the graph only when gradients are on and some parent needs
     * one; otherwise it is a plain value (evaluation builds no graph and keeps no intermediate arrays).
     */
    static Tensor of(INDArray data, String op, Backward backward, Tensor... parents) {
        data = Rounding.apply(data); // unchanged unless a drift measurement asked for every output rounded
        Counters.ops++;
        if (Counters.PROFILE) Counters.forward(op);
        boolean needs = false;
        if (Grad.enabled()) for (Tensor p : parents) needs |= p.requiresGrad;
        return needs ? new Tensor(data, op, true, parents, backward) : new Tensor(data, op, false, new Tensor[0], null);
    }

    /**
     * Adds {@code g} to this tensor's gradient. Adds, never assigns: a tensor used twice (the residual
     * stream, the tied embedding) must receive the sum of both gradients.
     */
    void accumulate(INDArray g) {
        if (!requiresGrad) return;
        if (grad == null) grad = isLeaf() ? StepMemory.outside(g::dup) : g.dup();
        else grad.addi(g);
    }

    /**
     * {@link #accumulate} for a fresh array that no other tensor holds (a kernel's own output): the first
     * gradient is kept as it is instead of copied. A parameter's is copied all the same when the array lives
     * in the pass's {@link StepMemory}: the optimizer reads it after the pass has ended.
     */
    void accumulateOwned(INDArray g) {
        if (!requiresGrad) return;
        if (grad == null) grad = isLeaf() && g.isAttached() ? StepMemory.outside(g::dup) : g;
        else grad.addi(g);
    }

    /**
     * The gradient array, zeros if backward has not reached this tensor yet, for a kernel that adds into it
     * directly (Linear's weight gradient is accumulated by the matrix product itself). A parameter's is created
     * outside the pass's {@link StepMemory}.
     */
    INDArray gradient() {
        if (grad == null) grad = isLeaf() ? StepMemory.outside(() -> Nd.zeros(shape())) : Nd.zeros(shape());
        return grad;
    }

    /** A parameter (or another input that wants a gradient): nothing computed it. */
    private boolean isLeaf() {
        return parents.length == 0;
    }

    /** Backpropagation from this scalar: d this / d this = 1, then every node in reverse topological order. */
    public void backward() {
        if (data.length() != 1) throw new IllegalStateException("backward() needs a scalar, got shape " + Arrays.toString(shape()));
        List<Tensor> order = topologicalOrder();
        grad = data.ulike().assign(1.0);
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.backward != null && t.grad != null) {
                long start = Counters.PROFILE ? System.nanoTime() : 0;
                t.backward.apply(t.grad);
                if (Counters.PROFILE) Counters.backward(t.op, System.nanoTime() - start);
                t.grad = null; // intermediate gradients are not needed again: free them early
            }
        }
        grad = null;
    }

    /** Iterative depth-first search (graphs of a few thousand nodes would overflow a recursive one). */
    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        visited.add(this);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            if (next < t.parents.length) {
                frame[1] = next + 1;
                Tensor p = t.parents[next];
                if (p.requiresGrad && visited.add(p)) stack.push(new Object[] {p, 0});
            } else {
                stack.pop();
                order.add(t); // after all its parents: a topological order
            }
        }
        return order;
    }

    public long[] shape() {
        return data.shape();
    }

    public double item() {
        return data.getDouble(0);
    }

    /** Number of nodes reachable from this one (the op count of a step). */
    public int graphSize() {
        return topologicalOrder().size();
    }

    @Override
    public String toString() {
        return "Tensor(" + op + ", " + Arrays.toString(shape()) + ")";
    }
}
