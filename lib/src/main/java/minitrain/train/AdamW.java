package minitrain.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import minitrain.autograd.Nd;
import minitrain.autograd.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AdamW written out (Loshchilov and Hutter): Adam's bias-corrected moments, plus weight decay applied to
 * the weights directly instead of through the gradient, and only to matrices and embeddings (as nanoGPT:
 * decaying biases and LayerNorm gains only fights the normalisation). In PyTorch's order, per parameter:
 * p -= lr wd p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
 */
public final class AdamW {

    private final Map<String, Tensor> params;
    private final Set<String> decayed;
    private final double beta1, beta2, eps, weightDecay;
    /** First and second moments per parameter name; stored in checkpoints as optim.m.* and optim.v.*. */
    private final Map<String, double[]> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
    /** Steps taken: the t of the bias correction. */
    private int t;

    public AdamW(Map<String, Tensor> params, Set<String> decayed, double beta1, double beta2, double eps,
            double weightDecay) {
        this.params = params;
        this.decayed = decayed;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        params.forEach((name, p) -> {
            m.put(name, new double[(int) p.data.length()]);
            v.put(name, new double[(int) p.data.length()]);
        });
    }

    public void step(double lr) {
        t++;
        double c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t); // bias corrections: m, v start at 0
        // Each parameter's update reads and writes only its own arrays: the cores take parameters in turn.
        List<String> names = List.copyOf(params.keySet());
        Nd.forRows(names.size(), k -> {
            String name = names.get(k);
            Tensor p = params.get(name);
            int n = (int) p.data.length();
            // Weights and gradient copied into this core's reused heap arrays: fresh copies each step would be
            // megabytes of garbage a step for the collector, whose pauses land inside steps.
            double[] w = Nd.copy(p.data, Nd.scratch(0, n)), g = Nd.copy(p.grad(), Nd.scratch(1, n));
            double[] mm = m.get(name), vv = v.get(name);
            double decay = decayed.contains(name) ? lr * weightDecay : 0;
            for (int i = 0; i < n; i++) {
                w[i] -= decay * w[i];
                mm[i] = beta1 * mm[i] + (1 - beta1) * g[i];
                vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i];
                w[i] -= lr * (mm[i] / c1) / (Math.sqrt(vv[i] / c2) + eps);
            }
            Nd.copy(w, p.data);
        });
    }

    public int steps() {
        return t;
    }

    /** The moments as arrays shaped like their parameters; read through {@link Checkpoint#tensors} only. */
    Map<String, INDArray> moments(boolean second) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        (second ? v : m).forEach((name, a) -> out.put(name, Nd.array(a, params.get(name).shape())));
        return out;
    }

    /** Restores the state a checkpoint stored ({@link Checkpoint#load}). */
    void restore(int steps, Map<String, INDArray> first, Map<String, INDArray> second) {
        t = steps;
        for (String name : params.keySet()) {
            m.put(name, Nd.values(first.get(name)));
            v.put(name, Nd.values(second.get(name)));
        }
    }
}
