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
 * passes its gradient back to them.
 *
 * <p>How a gradient is written, the one rule every operation follows: its backward hands each input a
 * gradient through {@link #accumulate}, which adds it to what the input already has (a tensor used twice
 * receives the sum). A parameter's gradient array is made once, with the parameter, outside any pass's
 * {@link StepMemory}; backward adds into it, the optimizer reads it, and {@link #zeroGrad} empties it in
 * place before the next step. Any other tensor's gradient lives only during one backward pass.
 */
public final class Tensor {

    /** Passes this tensor's gradient (same shape as its data) on to its parents. */
    @FunctionalInterface
    public interface Backward {
        void apply(INDArray gradOut);
    }

    public final INDArray data;
    public final String op;
    public final boolean requiresGrad;
    private final Tensor[] parents;
    private final Backward backward;
    /** d loss / d data: a parameter's from the start; another tensor's from when backward first reaches it. */
    private INDArray grad;
    /** True while grad is also another tensor's (an add gives both inputs one array): never changed in place. */
    private boolean gradShared;

    private Tensor(INDArray data, String op, boolean requiresGrad, Tensor[] parents, Backward backward) {
        this.data = data;
        this.op = op;
        this.requiresGrad = requiresGrad;
        this.parents = parents;
        this.backward = backward;
    }

    /**
     * A trainable leaf. Its gradient array, zeros, is made here and kept for the parameter's whole life
     * (outside any pass's {@link StepMemory}: the optimizer reads it after the pass has ended).
     */
    public static Tensor param(INDArray data) {
        Tensor p = new Tensor(data, "param", true, new Tensor[0], null);
        p.grad = StepMemory.outside(() -> Nd.zeros(data.shape()));
        return p;
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
        OpHook hook = OpHook.active();
        if (hook != null) data = hook.output(op, data);   // a measurement's look at every output (OpHook)
        boolean needs = false;
        if (Grad.enabled()) for (Tensor p : parents) needs |= p.requiresGrad;
        return needs ? new Tensor(data, op, true, parents, backward) : new Tensor(data, op, false, new Tensor[0], null);
    }

    /**
     * Adds {@code g} to this tensor's gradient: adds, never assigns, so a tensor used twice (the residual
     * stream, the tied embedding) receives the sum of both gradients. The caller hands {@code g} over and does
     * not use it again (it may become this tensor's gradient as it is, and later ones are added into it): an
     * operation passes each array it computed to one input only, or to several through {@link #accumulateShared}.
     */
    void accumulate(INDArray g) {
        if (!requiresGrad) return;
        if (grad == null) grad = g;
        else if (gradShared) replaceGrad(grad.add(g));   // the other holder still reads the old sum: a new array
        else grad.addi(g);
    }

    /**
     * {@link #accumulate} for an array that another input of the same operation also receives (an add passes its
     * gradient to both inputs unchanged): it may become the gradient of both, and then neither adds into it in
     * place. Copying it for the second input instead was a pass over memory a residual connection, for nothing.
     */
    void accumulateShared(INDArray g) {
        if (!requiresGrad) return;
        if (grad != null) {
            accumulate(g);   // adds g into the gradient, and g itself stays as it is
            return;
        }
        grad = g;
        gradShared = true;
    }

    /**
     * The gradient gathered so far (null before backward first reaches this tensor, and for a parameter, whose
     * gradient array stays its own), for a kernel that adds it into the gradient it writes and hands over the sum
     * with {@link #replaceGrad}: the same values as {@link #accumulate}, without a pass of its own over memory. The
     * kernel must not write into this array.
     */
    INDArray gradSoFar() {
        return requiresGrad && !isParameter() ? grad : null;
    }

    /** Hands over a gradient that already includes {@link #gradSoFar} (see there): it replaces the gradient. */
    void replaceGrad(INDArray sum) {
        if (isParameter()) throw new IllegalStateException("a parameter's gradient is added into, never replaced");
        if (!requiresGrad) return;
        grad = sum;
        gradShared = false;
    }

    /**
     * This parameter's gradient array, for a kernel that adds into it in place ({@link Linear}'s weight
     * gradient is accumulated by the matrix product itself, beta = 1).
     */
    INDArray parameterGradient() {
        if (!isParameter()) throw new IllegalArgumentException(this + " is not a parameter: " + op);
        return grad;
    }

    /** d loss / d data, summed over every backward since the last {@link #zeroGrad} (a parameter's); else null. */
    public INDArray grad() {
        return grad;
    }

    /** A parameter's gradient back to zeros, in place: its array is reused from step to step. */
    public void zeroGrad() {
        if (!isParameter()) throw new IllegalStateException("zeroGrad() is for parameters, not " + this);
        grad.assign(0.0);
    }

    /** A trainable leaf (made by {@link #param}): its gradient array lives as long as it does. */
    public boolean isParameter() {
        return requiresGrad && parents.length == 0;
    }

    /** Backpropagation from this scalar: d this / d this = 1, then every node in reverse topological order. */
    public void backward() {
        if (data.length() != 1) {
            throw new IllegalStateException("backward() needs a scalar, got shape " + Arrays.toString(shape()));
        }
        List<Tensor> order = topologicalOrder();
        accumulate(data.ulike().assign(1.0));
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            if (t.backward != null && t.grad != null) {
                OpHook hook = OpHook.active();
                long start = hook != null ? System.nanoTime() : 0;
                t.backward.apply(t.grad);
                if (hook != null) hook.backward(t.op, System.nanoTime() - start);
                t.grad = null; // intermediate gradients are not needed again: free them early
                t.gradShared = false;
            }
        }
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
