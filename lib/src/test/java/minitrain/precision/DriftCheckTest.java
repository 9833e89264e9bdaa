package minitrain.precision;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import minitrain.Rng;
import minitrain.autograd.Nd;
import minitrain.corpus.Corpus;
import minitrain.corpus.Protocol;
import minitrain.corpus.Split;
import minitrain.model.GPTConfig;
import minitrain.model.MiniGPT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class DriftCheckTest {

    static MiniGPT model;
    static Protocol.Padded batch;
    static Drift.Result result;

    @BeforeAll
    static void measure() {
        Corpus corpus = Corpus.load(Path.of("..", "corpus").toAbsolutePath().normalize());
        model = new MiniGPT(new GPTConfig(2, 2, 16, 64, corpus.vocab().size(), 0.0), new Rng(5));
        var sample = corpus.records(Split.VAL).subList(0, 8);
        batch = Drift.batch(corpus.vocab(), sample);
        result = Drift.measure(model, corpus.vocab(), sample);
    }

    /** Lab 03's worked answer, written with the library's building blocks only. */
    static Map<String, Double> learnersDrift(DoubleUnaryOperator round, boolean roundWeights, boolean passRounded) {
        Map<String, double[]> exact = new LinkedHashMap<>();
        Drift.forward(model, batch, (layer, v) -> { exact.put(layer, Nd.values(v)); return v; });
        MiniGPT low = new MiniGPT(model.config, new Rng(0));
        low.load(roundWeights ? Drift.round(model.stateDict(), round) : model.stateDict(), "copy");
        Map<String, Double> drift = new LinkedHashMap<>();
        Drift.forward(low, batch, (layer, v) -> {
            INDArray r = Drift.round(v, round);
            double[] e = exact.get(layer), l = Nd.values(r);
            double diff = 0, norm = 0;
            for (int i = 0; i < e.length; i++) {
                diff += (l[i] - e[i]) * (l[i] - e[i]);
                norm += e[i] * e[i];
            }
            drift.put(layer, Math.sqrt(diff / norm));
            return passRounded ? r : v;
        });
        return drift;
    }

    @Test
    void theWorkedAnswerEqualsDriftBitForBit() {
        for (String f : List.of("fp16", "bf16")) {
            DoubleUnaryOperator round = f.equals("fp16") ? HalfFloats::roundFp16 : HalfFloats::roundBf16;
            String check = DriftCheck.perLayer("myDrift", learnersDrift(round, true, true), result.rows(), f);
            assertTrue(check.startsWith("correct: myDrift gives Drift's relative RMS error in " + f + " for all 9 "),
                    check);
        }
    }

    @Test
    void wrongAnswersNameTheLayerAndTheLikelyStep() {
        String noWeights = DriftCheck.perLayer("myDrift", learnersDrift(HalfFloats::roundFp16, false, true),
                result.rows(), "fp16");
        assertTrue(noWeights.startsWith("not right yet: myDrift differs first at embeddings: "), noWeights);
        assertTrue(noWeights.contains("are all the weights rounded"), noWeights);
        String notPassed = DriftCheck.perLayer("myDrift", learnersDrift(HalfFloats::roundFp16, true, false),
                result.rows(), "fp16");
        assertTrue(notPassed.startsWith("not right yet: myDrift differs first at h.0."), notPassed);
        assertTrue(notPassed.contains("the probe must return the rounded array"), notPassed);

        Map<String, Double> right = learnersDrift(HalfFloats::roundFp16, true, true);
        Map<String, Double> lastBit = new LinkedHashMap<>(right);
        lastBit.put("h.1.mlp", Math.nextUp(right.get("h.1.mlp")));
        String nearly = DriftCheck.perLayer("myDrift", lastBit, result.rows(), "fp16");
        assertTrue(nearly.startsWith("not right yet: myDrift differs first at h.1.mlp: ")
                && nearly.contains("Equal to nine digits, not to the bit"), nearly);
        Map<String, Double> missing = new LinkedHashMap<>(right);
        missing.remove("ln_f");
        assertTrue(DriftCheck.perLayer("myDrift", missing, result.rows(), "fp16").contains("has the layers"));
        Map<String, Double> unanswered = new LinkedHashMap<>(right);
        unanswered.put("logits", null);
        assertTrue(DriftCheck.perLayer("myDrift", unanswered, result.rows(), "fp16")
                .contains("has no number for logits"));
        assertEquals(DriftCheck.perLayer("myDrift", right, result.rows(), "fp8").split(":")[0], "not right yet");
    }

    @Test
    void unansweredIsSaidSo() {
        assertTrue(DriftCheck.perLayer("myDrift", null, result.rows(), "fp16").startsWith("not answered yet: "));
        assertTrue(DriftCheck.limits("limits", null, 0, result.rows(), "fp16-every-op")
                .startsWith("not answered yet: "));
        assertTrue(DriftCheck.limits("limits", "h.0.mlp", null, result.rows(), "fp16-every-op")
                .startsWith("not answered yet: "));
    }

    @Test
    void limitsNamesTheLayerWithTheMostFlushesAndTheOverflows() {
        List<DriftRow> rows = List.of(
                new DriftRow("fp16-every-op", "h.0.attn", 0, 0, 0, 3, 0),
                new DriftRow("fp16-every-op", "h.0.mlp", 0, 0, 2, 40, 0),
                new DriftRow("bf16-every-op", "h.0.attn", 0, 0, 0, 99, 0));
        assertEquals("correct: limits: in fp16-every-op, h.0.mlp flushes the most values to zero (40 of 43), and 2 "
                + "values overflow", DriftCheck.limits("limits", "h.0.mlp", 2, rows, "fp16-every-op"));
        assertEquals("correct", DriftCheck.limits("limits", "h.0.mlp", 2L, rows, "fp16-every-op").split(":")[0],
                "a long is as good as an int");
        assertTrue(DriftCheck.limits("limits", "h.0.attn", 2, rows, "fp16-every-op")
                .startsWith("not right yet: limits: h.0.attn flushes 3 values, another layer more."));
        assertTrue(DriftCheck.limits("limits", "h.0.mlp", 0, rows, "fp16-every-op")
                .startsWith("not right yet: limits: 0 overflows."));
        assertTrue(DriftCheck.limits("limits", "mlp", 2, rows, "fp16-every-op").contains("there is no layer \"mlp\""));
        assertTrue(DriftCheck.limits("limits", "h.0.mlp", 2.5, rows, "fp16-every-op").startsWith("not right yet"));
    }
}
