package minitrain.train;

import java.nio.DoubleBuffer;
import java.util.Map;
import minitrain.autograd.Nd;
import minitrain.autograd.Tensor;

/** The global gradient norm, clipping to a limit, and the first non-finite gradient. */
public final class GradClip {

    private GradClip() {}

    /** sqrt of the sum of every gradient element squared, summed in parameter order (deterministic). */
    public static double norm(Map<String, Tensor> params) {
        double s = 0;
        for (Tensor p : params.values()) {
            DoubleBuffer g = Nd.buffer(p.grad());        // read in place: a copy each step is garbage
            for (int i = 0; i < g.limit(); i++) s += g.get(i) * g.get(i);
        }
        return Math.sqrt(s);
    }

    /**
     * Scales all gradients by max / norm when the norm exceeds max (PyTorch's clip_grad_norm_): one rare
     * huge gradient can then move the weights no further than an ordinary one. Returns the norm before.
     */
    public static double clip(Map<String, Tensor> params, double max) {
        double n = norm(params);
        if (max > 0 && n > max) {
            double scale = max / (n + 1e-6);
            for (Tensor p : params.values()) p.grad().muli(scale);
        }
        return n;
    }

    /** The name of the first parameter (in order) whose gradient holds a NaN or an infinity, else null. */
    public static String firstNonFinite(Map<String, Tensor> params) {
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            DoubleBuffer g = Nd.buffer(e.getValue().grad());
            for (int i = 0; i < g.limit(); i++) if (!Double.isFinite(g.get(i))) return e.getKey();
        }
        return null;
    }
}
