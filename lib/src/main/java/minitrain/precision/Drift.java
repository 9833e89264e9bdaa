package minitrain.precision;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.Nd;
import minitrain.autograd.Tensor;
import minitrain.checkpoint.AtomicFiles;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Vocab;
import minitrain.model.MiniGPT;
import minitrain.model.Probe;
import minitrain.train.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-layer drift of MiniGPT's forward pass in fp16 and bf16 against fp64.
 *
 * <p>The precision model measured is storage rounding: every weight, and every layer's output at each
 * boundary the model reports (embeddings, attention output, MLP output, residual stream after each block,
 * final LayerNorm, logits), is rounded to the format; the arithmetic between boundaries runs in fp64, which
 * is close to what fp16/bf16 training with fp32 accumulation does. ND4J 1.0.0-M2.1 on the CPU was not used
 * for true half-precision arithmetic: its CPU kernels are not a faithful model of GPU tensor cores, so
 * storage rounding isolates the one effect every implementation shares.
 */
public final class Drift {

    public record Result(List<DriftRow> rows, Map<String, double[]> loss, Map<String, Double> argmaxChanged) {}

    private Drift() {}

    public static Result measure(MiniGPT model, Vocab vocab, List<Record> sample) {
        List<int[]> seqs = new ArrayList<>();
        for (Record r : sample) seqs.add(Protocol.sequence(r, vocab));
        Batch b = Batch.of(seqs, vocab.padId, model.config.blockSize());
        Map<String, double[]> ref = new LinkedHashMap<>();
        Tensor refLogits = forward(model, b, (name, v) -> { ref.put(name, Nd.values(v)); return v; });
        List<DriftRow> rows = new ArrayList<>();
        Map<String, double[]> loss = new LinkedHashMap<>();
        Map<String, Double> argmax = new LinkedHashMap<>();
        loss.put("fp64", lossAndPpl(refLogits, b));
        Map<String, DoubleUnaryOperator> formats = new LinkedHashMap<>();
        formats.put("fp16", HalfFloats::roundFp16);
        formats.put("bf16", HalfFloats::roundBf16);
        Map<String, INDArray> original = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> original.put(k, v.dup()));
        try {
            for (Map.Entry<String, DoubleUnaryOperator> f : formats.entrySet()) {
                Map<String, INDArray> rounded = new LinkedHashMap<>();
                original.forEach((k, v) -> rounded.put(k, round(v, f.getValue())));
                model.load(rounded, "drift");
                Tensor logits = forward(model, b, (name, v) -> {
                    INDArray low = round(v, f.getValue());
                    rows.add(DriftRow.compare(f.getKey(), name, ref.get(name), Nd.values(low), f.getValue()));
                    return low;
                });
                loss.put(f.getKey(), lossAndPpl(logits, b));
                argmax.put(f.getKey(), argmaxChanged(refLogits, logits, b));
            }
        } finally {
            model.load(original, "drift"); // leave the model as it came
        }
        return new Result(rows, loss, argmax);
    }

    private static Tensor forward(MiniGPT model, Batch b, Probe probe) {
        try (var off = minitrain.autograd.Grad.off()) {
            return model.forward(b.idx(), b.real(), false, null, probe);
        }
    }

    static INDArray round(INDArray a, DoubleUnaryOperator f) {
        double[] v = Nd.values(a);
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i]);
        return Nd.array(v, a.shape());
    }

    /** {mean NLL per token, perplexity} over the batch's real targets. */
    static double[] lossAndPpl(Tensor logits, Batch b) {
        double nll = CrossEntropy.apply(logits, b.targets(), b.counted(), b.tokens()).item();
        return new double[] {nll, Math.exp(nll)};
    }

    /** Share of real positions whose most likely next token changed. */
    static double argmaxChanged(Tensor ref, Tensor low, Batch b) {
        double[] r = Nd.values(ref.data), l = Nd.values(low.data);
        int v = (int) ref.shape()[2], t = b.idx()[0].length, changed = 0, n = 0;
        for (int row = 0; row < b.idx().length; row++) {
            for (int i = 0; i < t; i++) {
                if (!b.counted()[row][i]) continue;
                int o = (row * t + i) * v;
                if (argmax(r, o, v) != argmax(l, o, v)) changed++;
                n++;
            }
        }
        return changed / (double) n;
    }

    private static int argmax(double[] a, int o, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) if (a[o + k] > a[o + best]) best = k;
        return best;
    }

    public static void writeCsv(List<DriftRow> rows, Path file) {
        StringBuilder sb = new StringBuilder(DriftRow.CSV_HEADER).append('\n');
        for (DriftRow r : rows) sb.append(r.csv()).append('\n');
        AtomicFiles.writeString(file, sb.toString());
    }
}
