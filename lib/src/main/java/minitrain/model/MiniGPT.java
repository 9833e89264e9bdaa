package minitrain.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitrain.KitError;
import minitrain.Rng;
import minitrain.autograd.Arithmetic;
import minitrain.autograd.Embedding;
import minitrain.autograd.Grad;
import minitrain.autograd.Nd;
import minitrain.autograd.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * nanoGPT's GPT, built on the kit's autograd: token + position embeddings, n_layer pre-LayerNorm blocks
 * (causal self-attention with a fused qkv projection, then an MLP 4x wide with exact GELU, each added back
 * to the residual stream), a final LayerNorm, and a language-model head tied to the token embedding.
 * Parameter names and layouts are nanoGPT's state_dict, so the weights load into PyTorch unchanged.
 *
 * <p>The layers come in two forms that compute the same ({@link Layers}): the readable references, composed
 * from small operations, which are the lesson (read {@code Attention.reference} for attention step by step),
 * and the fast kernels that training runs by default.
 */
public final class MiniGPT {

    public final GPTConfig config;
    private final Layers layers;
    private final Map<String, Tensor> params = new LinkedHashMap<>();

    /** Fresh weights on the fast layers: see {@link #MiniGPT(GPTConfig, Rng, Layers)}. */
    public MiniGPT(GPTConfig config, Rng init) {
        this(config, init, Layers.FAST);
    }

    /**
     * Fresh weights: normal(0, 0.02), residual projections 0.02 / sqrt(2 n_layer), biases 0, LayerNorm 1 and 0.
     * Each parameter's gradient array is made here too, once (see {@link #zeroGrad}).
     *
     * @param layers {@link Layers#REFERENCE} to run the readable compositions, {@link Layers#FAST} the kernels
     */
    public MiniGPT(GPTConfig config, Rng init, Layers layers) {
        this.config = config;
        this.layers = layers;
        for (Map.Entry<String, long[]> e : shapes(config).entrySet()) {
            String name = e.getKey();
            INDArray a = Nd.zeros(e.getValue());
            if (name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name.endsWith("ln_f.weight")) {
                a.assign(1.0);
            } else if (name.endsWith(".weight")) {
                // The residual projections write into the stream once per block: smaller so the stream's
                // variance does not grow with depth (GPT-2's scheme).
                double std = name.endsWith("c_proj.weight") ? 0.02 / Math.sqrt(2.0 * config.nLayer()) : 0.02;
                double[] v = new double[(int) a.length()];
                for (int i = 0; i < v.length; i++) v[i] = std * init.nextGaussian();
                a = Nd.array(v, e.getValue());
            }
            params.put(name, Tensor.param(a));
        }
    }

    /** nanoGPT's parameter names and shapes, in state_dict order; linear weights are [out, in]. */
    public static Map<String, long[]> shapes(GPTConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long C = c.nEmbd();
        s.put("transformer.wte.weight", new long[] {c.vocabSize(), C});
        s.put("transformer.wpe.weight", new long[] {c.blockSize(), C});
        for (int i = 0; i < c.nLayer(); i++) {
            String h = "transformer.h." + i + ".";
            s.put(h + "ln_1.weight", new long[] {C});
            s.put(h + "ln_1.bias", new long[] {C});
            s.put(h + "attn.c_attn.weight", new long[] {3 * C, C});
            s.put(h + "attn.c_attn.bias", new long[] {3 * C});
            s.put(h + "attn.c_proj.weight", new long[] {C, C});
            s.put(h + "attn.c_proj.bias", new long[] {C});
            s.put(h + "ln_2.weight", new long[] {C});
            s.put(h + "ln_2.bias", new long[] {C});
            s.put(h + "mlp.c_fc.weight", new long[] {4 * C, C});
            s.put(h + "mlp.c_fc.bias", new long[] {4 * C});
            s.put(h + "mlp.c_proj.weight", new long[] {C, 4 * C});
            s.put(h + "mlp.c_proj.bias", new long[] {C});
        }
        s.put("transformer.ln_f.weight", new long[] {C});
        s.put("transformer.ln_f.bias", new long[] {C});
        return s;
    }

    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /**
     * Every parameter's gradient back to zeros, in place: backward adds into the gradients, so without this
     * each step would also re-apply every earlier step's gradient. The arrays are made once, with the model.
     */
    public void zeroGrad() {
        for (Tensor p : params.values()) p.zeroGrad();
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : params.values()) n += t.data.length();
        return n;
    }

    /** Replaces every weight with a copy of {@code weights}; names and shapes must match the config exactly. */
    public void load(Map<String, INDArray> weights, String source) {
        Map<String, long[]> expected = shapes(config);
        for (String name : weights.keySet()) {
            if (!expected.containsKey(name)) throw new KitError(source + ": unexpected tensor " + name);
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            INDArray w = weights.get(e.getKey());
            if (w == null) throw new KitError(source + ": missing tensor " + e.getKey());
            if (!Arrays.equals(w.shape(), e.getValue())) {
                throw new KitError(source + ": tensor " + e.getKey() + " has shape " + Arrays.toString(w.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
            params.get(e.getKey()).data.assign(w);
        }
    }

    private Tensor p(String name) {
        return params.get(name);
    }

    /**
     * Logits (B, T, V) for token ids (B, T).
     *
     * @param real    (B, T): true where the position holds a real token; padding keys get no attention
     * @param train   dropout on (training) or off (evaluation)
     * @param dropout the generator of dropout masks; unused when {@code train} is false
     */
    public Tensor forward(int[][] idx, boolean[][] real, boolean train, Rng dropout) {
        return forward(idx, real, train, dropout, Probe.NONE);
    }

    public Tensor forward(int[][] idx, boolean[][] real, boolean train, Rng dropout, Probe probe) {
        int t = idx[0].length, h = config.nHead();
        if (t > config.blockSize()) {
            throw new KitError("sequence of " + t + " tokens is longer than block_size " + config.blockSize());
        }
        double pd = config.dropout();
        Tensor tok = Embedding.lookup(p("transformer.wte.weight"), idx);                    // (B, T, C)
        Tensor pos = Embedding.positions(p("transformer.wpe.weight"), t);                   // (T, C)
        Tensor x = see(probe, "embeddings", layers.dropout(Arithmetic.add(tok, pos), pd, train, dropout));
        for (int i = 0; i < config.nLayer(); i++) {
            String b = "transformer.h." + i + ".";
            // --- causal self-attention: every position reads from itself and earlier real positions
            Tensor n1 = layers.layerNorm(x, p(b + "ln_1.weight"), p(b + "ln_1.bias"));
            Tensor qkv = layers.linear(n1, p(b + "attn.c_attn.weight"), p(b + "attn.c_attn.bias"));  // (B, T, 3C)
            // Split into h heads of d channels, q k^T / sqrt(d), mask, softmax, dropout, times v, heads merged
            // (Attention.reference spells out each of those steps).
            Tensor y = layers.attention(qkv, h, real, pd, train, dropout);                     // (B, T, C)
            y = layers.linear(y, p(b + "attn.c_proj.weight"), p(b + "attn.c_proj.bias"));
            y = see(probe, "h." + i + ".attn", layers.dropout(y, pd, train, dropout));
            x = Arithmetic.add(x, y);
            // --- MLP: widen 4x, GELU, project back
            Tensor n2 = layers.layerNorm(x, p(b + "ln_2.weight"), p(b + "ln_2.bias"));
            Tensor m = layers.linear(n2, p(b + "mlp.c_fc.weight"), p(b + "mlp.c_fc.bias"));     // (B, T, 4C)
            m = layers.linear(layers.gelu(m), p(b + "mlp.c_proj.weight"), p(b + "mlp.c_proj.bias"));
            m = see(probe, "h." + i + ".mlp", layers.dropout(m, pd, train, dropout));
            x = see(probe, "h." + i + ".residual", Arithmetic.add(x, m));
        }
        x = see(probe, "ln_f", layers.layerNorm(x, p("transformer.ln_f.weight"), p("transformer.ln_f.bias")));
        // The head reuses the token embedding (weight tying): a token's input and output vectors are one.
        return see(probe, "logits", layers.linear(x, p("transformer.wte.weight"), null));    // (B, T, V)
    }

    private static Tensor see(Probe probe, String name, Tensor x) {
        if (probe == Probe.NONE) return x;
        INDArray seen = probe.at(name, x.data);
        return seen == x.data ? x : Tensor.constant(seen);
    }

    /** Every weight as a name -> array map (views of the live parameters, nanoGPT's names). */
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        params.forEach((k, v) -> m.put(k, v.data));
        return m;
    }

    /** Names of the parameters nanoGPT decays (matrices and embeddings, p.dim() >= 2). */
    public List<String> decayed() {
        List<String> out = new ArrayList<>();
        params.forEach((k, v) -> { if (v.data.rank() >= 2) out.add(k); });
        return out;
    }

    /** Evaluation without a graph, for any caller that only reads. */
    public Tensor evaluate(int[][] idx, boolean[][] real) {
        try (var off = Grad.off()) {
            return forward(idx, real, false, null);
        }
    }
}
