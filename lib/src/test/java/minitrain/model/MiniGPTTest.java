package minitrain.model;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitrain.Json;
import minitrain.KitError;
import minitrain.Rng;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.GradCheck;
import minitrain.autograd.Nd;
import minitrain.autograd.Tensor;
import minitrain.corpus.Protocol;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class MiniGPTTest {

    static final GPTConfig TINY = new GPTConfig(1, 2, 4, 5, 6, 0.1);

    static boolean[][] realOf(int[][] idx, int pad) {
        boolean[][] r = new boolean[idx.length][idx[0].length];
        for (int b = 0; b < idx.length; b++) for (int t = 0; t < idx[0].length; t++) r[b][t] = idx[b][t] != pad;
        return r;
    }

    /** The whole model on the reference layers and on the fast ones: the same loss and gradients, with dropout. */
    @Test
    void referenceAndFastLayersComputeTheSame() {
        GPTConfig cfg = new GPTConfig(2, 2, 8, 6, 9, 0.1);
        MiniGPT ref = new MiniGPT(cfg, new Rng(3), Layers.REFERENCE), fast = new MiniGPT(cfg, new Rng(3), Layers.FAST);
        int[][] idx = {{1, 3, 4, 5, 6, 2}, {1, 6, 5, 2, 0, 0}, {1, 7, 8, 2, 0, 0}};
        int[][] tgt = {{3, 4, 5, 6, 2, 3}, {6, 5, 2, 4, 0, 0}, {7, 8, 2, 0, 0, 0}};
        double[] loss = new double[2];
        List<MiniGPT> both = List.of(ref, fast);
        for (int n = 0; n < 2; n++) {
            MiniGPT m = both.get(n);
            Tensor out = CrossEntropy.apply(m.forward(idx, realOf(idx, 0), true, new Rng(9)), tgt, realOf(tgt, 0), 11);
            out.backward();
            loss[n] = out.item();
        }
        assertEquals(loss[0], loss[1], 1e-13 * Math.abs(loss[0]));
        for (String name : ref.parameters().keySet()) {
            double[] r = Nd.values(ref.parameters().get(name).grad());
            double[] f = Nd.values(fast.parameters().get(name).grad());
            double scale = 0;
            for (double v : r) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < r.length; i++) assertEquals(r[i], f[i], 1e-12 * Math.max(scale, 1e-3), name + " " + i);
        }
    }

    @Test
    void forwardMatchesTheNumpyReference() throws IOException {
        JsonNode f;
        try (InputStream in = getClass().getResourceAsStream("/minitrain/model/reference.json")) {
            f = Json.MAPPER.readTree(in);
        }
        GPTConfig cfg = GPTConfig.fromNode(f.get("config"), "reference.json");
        MiniGPT m = new MiniGPT(cfg, new Rng(0));
        Map<String, INDArray> w = new LinkedHashMap<>();
        f.get("weights").fields().forEachRemaining(e -> {
            long[] shape = Json.MAPPER.convertValue(e.getValue().get("shape"), long[].class);
            double[] v = Json.MAPPER.convertValue(e.getValue().get("values"), double[].class);
            w.put(e.getKey(), Nd.array(v, shape));
        });
        m.load(w, "reference.json");
        int[][] idx = Json.MAPPER.convertValue(f.get("idx"), int[][].class);
        int[][] tgt = Json.MAPPER.convertValue(f.get("targets"), int[][].class);
        Tensor logits = m.evaluate(idx, realOf(idx, 0));
        double[] got = Nd.values(logits.data), want = Json.MAPPER.convertValue(f.get("logits"), double[].class);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < want.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
            maxRef = Math.max(maxRef, Math.abs(want[i]));
        }
        assertTrue(maxDiff / maxRef < 1e-12, "logits relative difference " + maxDiff / maxRef);
        boolean[][] counted = realOf(tgt, 0);
        int n = 0;
        for (boolean[] row : counted) for (boolean c : row) n += c ? 1 : 0;
        double loss = CrossEntropy.apply(logits, tgt, counted, n).item();
        assertEquals(f.get("loss").asDouble(), loss, 1e-12 * Math.abs(loss));
    }

    @Test
    void wholeModelGradientCheck() {
        MiniGPT m = new MiniGPT(TINY, new Rng(3));
        // Larger weights than the 0.02 init so that every path carries gradient worth checking.
        Rng r = new Rng(4);
        for (Tensor p : m.parameters().values()) {
            INDArray flat = p.data.reshape(p.data.length());
            for (long i = 0; i < flat.length(); i++) flat.putScalar(i, flat.getDouble(i) + 0.3 * r.nextGaussian());
        }
        int[][] idx = {{1, 3, 4, 5, 0}, {1, 5, 2, 0, 0}};
        int[][] tgt = {{3, 4, 5, 2, 0}, {5, 2, 3, 0, 0}};
        boolean[][] real = realOf(idx, 0), counted = realOf(tgt, 0);
        List<Tensor> params = new ArrayList<>(m.parameters().values());
        // Dropout on, with the same mask at every evaluation (a fresh generator from the same seed).
        double err = GradCheck.check("MiniGPT",
                () -> CrossEntropy.apply(m.forward(idx, real, true, new Rng(11)), tgt, counted, 7), params, 1e-7);
        assertTrue(err < 1e-7);
    }

    @Test
    void sameSeedSameBytes() {
        GPTConfig cfg = new GPTConfig(2, 2, 8, 6, 7, 0.1);
        MiniGPT a = new MiniGPT(cfg, new Rng(42)), b = new MiniGPT(cfg, new Rng(42)), c = new MiniGPT(cfg, new Rng(43));
        assertTrue(sameBytes(a, b));
        assertFalse(sameBytes(a, c));
        int[][] idx = {{1, 3, 4, 5, 6, 2}, {1, 6, 5, 2, 0, 0}};
        int[][] tgt = {{3, 4, 5, 6, 2, 3}, {6, 5, 2, 4, 0, 0}};
        for (MiniGPT m : List.of(a, b)) {
            Rng dropout = new Rng(9);
            for (int step = 0; step < 5; step++) { // plain SGD: the optimizer is not what is under test
                CrossEntropy.apply(m.forward(idx, realOf(idx, 0), true, dropout), tgt, realOf(tgt, 0), 9).backward();
                for (Tensor p : m.parameters().values()) p.data.subi(p.grad().mul(0.1));
                m.zeroGrad();
            }
        }
        assertTrue(sameBytes(a, b), "after 5 steps with dropout");
    }

    static boolean sameBytes(MiniGPT a, MiniGPT b) {
        for (String k : a.parameters().keySet()) {
            double[] x = Nd.values(a.parameters().get(k).data), y = Nd.values(b.parameters().get(k).data);
            for (int i = 0; i < x.length; i++) {
                if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) return false;
            }
        }
        return true;
    }

    @Test
    void batchedScoringEqualsOneRecordAtATime() {
        MiniGPT m = new MiniGPT(new GPTConfig(2, 2, 8, 8, 7, 0.0), new Rng(5));
        List<int[]> seqs = List.of(new int[] {1, 3, 4, 5, 2}, new int[] {1, 6, 2}, new int[] {1, 3, 3, 3, 3, 3, 4, 2});
        List<double[]> batched = Scoring.logProbs(m, seqs, 0, 3);
        Protocol.Scorer one = Scoring.scorer(m, 0);
        for (int i = 0; i < seqs.size(); i++) {
            double[] alone = one.logProbs(seqs.get(i));
            assertEquals(alone.length, batched.get(i).length);
            for (int k = 0; k < alone.length; k++) assertEquals(alone[k], batched.get(i)[k], 1e-12);
        }
    }

    @Test
    void parameterNamesAndLayoutsAreNanoGPTs() {
        Map<String, long[]> s = MiniGPT.shapes(new GPTConfig(2, 4, 64, 64, 38, 0));
        assertArrayEquals(new long[] {192, 64}, s.get("transformer.h.1.attn.c_attn.weight"));
        assertArrayEquals(new long[] {64, 256}, s.get("transformer.h.0.mlp.c_proj.weight"));
        assertFalse(s.containsKey("lm_head.weight"), "the head is tied to wte");
        assertEquals(2 + 2 * 12 + 2, s.size());
    }

    @Test
    void configRejectsImpossibleValues() {
        KitError e = assertThrows(KitError.class, () -> new GPTConfig(2, 3, 64, 64, 38, 0));
        assertTrue(e.getMessage().contains("multiple of n_head"));
        e = assertThrows(KitError.class, () -> GPTConfig.fromJson(
                "{\"n_layer\":2,\"n_head\":4,\"n_embd\":64,\"block_size\":64,\"vocab_size\":38,\"n_emb\":3}",
                "cfg.json"));
        assertTrue(e.getMessage().startsWith("cfg.json: unknown model config key(s) [n_emb]"), e.getMessage());
        e = assertThrows(KitError.class, () -> GPTConfig.fromJson(
                "{\"n_layer\":\"2\",\"n_head\":4,\"n_embd\":64,\"block_size\":64,\"vocab_size\":38}", "cfg.json"));
        assertTrue(e.getMessage().contains("\"n_layer\" must be an integer"), e.getMessage());
    }

    @Test
    void loadRejectsMisshapenWeights() {
        MiniGPT m = new MiniGPT(TINY, new Rng(1));
        Map<String, INDArray> w = new LinkedHashMap<>(m.stateDict());
        w.put("transformer.h.0.attn.c_attn.weight", Nd.zeros(4, 4));
        KitError e = assertThrows(KitError.class, () -> m.load(w, "x.safetensors"));
        assertEquals("x.safetensors: tensor transformer.h.0.attn.c_attn.weight has shape [4, 4], expected [12, 4]",
                e.getMessage());
    }
}
