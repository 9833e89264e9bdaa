package minitrain.precision;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.Nd;
import minitrain.autograd.OpHook;
import minitrain.autograd.Tensor;
import minitrain.Json;
import minitrain.Kit;
import minitrain.checkpoint.AtomicFiles;
import minitrain.checkpoint.Environment;
import minitrain.checkpoint.PublishedModel;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Vocab;
import minitrain.model.MiniGPT;
import minitrain.model.Probe;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-layer drift of MiniGPT's forward pass in fp16 and bf16 against fp64, under three precision models.
 *
 * <p>"fp16" and "bf16" rows: boundary rounding. Every weight, and every layer's output at each boundary the
 * model reports (embeddings, attention output, MLP output, residual stream after each block, final LayerNorm,
 * logits), is rounded to the format; the arithmetic between boundaries runs in fp64. This isolates the one
 * effect every mixed-precision implementation shares: values stored in 16 bits.
 *
 * <p>"fp16-every-op" and "bf16-every-op" rows: the weights and the output of every operation (each matmul,
 * add, softmax, LayerNorm, GELU...) are rounded, each operation computing inside in fp64: a model of pure
 * 16-bit inference with kernels that accumulate wide and store narrow, as GPU tensor cores do. Its overflow
 * and flush counts cover every operation's output inside the layer, not only the layer's output.
 *
 * <p>"fp16-arith" and "bf16-arith" rows: as every-op, and the matrix products (the linear layers and the two
 * products inside attention) computed by ND4J in the format itself: inputs cast to it, every product and
 * partial sum rounded to it, no wide accumulator. That is true 16-bit arithmetic, the worst case: real
 * accelerators accumulate wider. ND4J 1.0.0-M2.1 runs it with a slow generic CPU loop, so this model measures
 * only the first {@value #ARITH_RECORDS} records of the sample, against their own fp64 forward.
 */
public final class Drift {

    public record Result(List<DriftRow> rows, Map<String, double[]> loss, Map<String, Double> argmaxChanged) {}

    /** Suffix of the precision label for the every-operation model ("fp16" + EVERY_OP). */
    public static final String EVERY_OP = "-every-op";
    /** Suffix for the model with the matrix products computed in the format itself ("fp16" + ARITH). */
    public static final String ARITH = "-arith";
    /** How many of the sample's records the ARITH model runs on, and the suffix of its fp64 loss. */
    public static final int ARITH_RECORDS = 32;
    public static final String ARITH_SAMPLE = "-first-" + ARITH_RECORDS;

    private Drift() {}

    public static Result measure(MiniGPT model, Vocab vocab, List<Record> sample) {
        Map<String, DoubleUnaryOperator> formats = new LinkedHashMap<>();
        formats.put("fp16", HalfFloats::roundFp16);
        formats.put("bf16", HalfFloats::roundBf16);
        Map<String, DataType> nd4jTypes = Map.of("fp16", DataType.HALF, "bf16", DataType.BFLOAT16);
        List<DriftRow> rows = new ArrayList<>();
        Map<String, double[]> loss = new LinkedHashMap<>();
        Map<String, Double> argmax = new LinkedHashMap<>();
        Map<String, INDArray> original = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> original.put(k, v.dup()));
        try {
            // Both fp64 references first, while the model still has its own weights.
            Reference all = reference(model, vocab, sample);
            Reference few = reference(model, vocab, sample.subList(0, Math.min(ARITH_RECORDS, sample.size())));
            loss.put("fp64", lossAndPpl(all.logits, all.batch));
            for (boolean everyOp : new boolean[] {false, true}) {
                for (Map.Entry<String, DoubleUnaryOperator> f : formats.entrySet()) {
                    String precision = f.getKey() + (everyOp ? EVERY_OP : "");
                    Rounding ops = everyOp ? Rounding.every(f.getValue()) : null;   // null: boundaries only
                    try (var on = ops == null ? null : OpHook.install(ops)) {
                        run(model, original, all, precision, f.getValue(), ops, rows, loss, argmax);
                    }
                }
            }
            // 16-bit arithmetic in the products runs through ND4J's slow generic CPU kernel (docs/performance.md):
            // a smaller sample, with its own fp64 reference.
            loss.put("fp64" + ARITH_SAMPLE, lossAndPpl(few.logits, few.batch));
            for (Map.Entry<String, DoubleUnaryOperator> f : formats.entrySet()) {
                Rounding ops = Rounding.everyWithProducts(f.getValue(), nd4jTypes.get(f.getKey()));
                try (var on = OpHook.install(ops)) {
                    run(model, original, few, f.getKey() + ARITH, f.getValue(), ops, rows, loss, argmax);
                }
            }
        } finally {
            model.load(original, "drift"); // leave the model as it came
        }
        return new Result(rows, loss, argmax);
    }

    /** The fp64 forward of a sample: the batch, every boundary's values and the logits. */
    private record Reference(Protocol.Padded batch, Map<String, double[]> layers, Tensor logits) {}

    private static Reference reference(MiniGPT model, Vocab vocab, List<Record> sample) {
        Protocol.Padded b = batch(vocab, sample);
        Map<String, double[]> layers = new LinkedHashMap<>();
        Tensor logits = forward(model, b, (name, v) -> { layers.put(name, Nd.values(v)); return v; });
        return new Reference(b, layers, logits);
    }

    /** The sample as one right-padded batch: the inputs every precision model reads. */
    public static Protocol.Padded batch(Vocab vocab, List<Record> sample) {
        List<int[]> seqs = new ArrayList<>();
        for (Record r : sample) seqs.add(Protocol.sequence(r, vocab));
        return Protocol.pad(seqs, vocab.padId);
    }

    /** One precision model: weights rounded, the forward pass run with every boundary rounded, rows compared. */
    private static void run(MiniGPT model, Map<String, INDArray> original, Reference ref, String precision,
                            DoubleUnaryOperator round, Rounding ops, List<DriftRow> rows, Map<String, double[]> loss,
                            Map<String, Double> argmax) {
        model.load(round(original, round), "drift");
        Tensor logits = forward(model, ref.batch, (name, v) -> {
            INDArray low = round(v, round);
            DriftRow row = DriftRow.compare(precision, name, ref.layers.get(name), Nd.values(low), round);
            if (ops != null) {
                // Every operation since the previous boundary belongs to this layer: count its overflows and
                // flushes too (attention probabilities flush, for one).
                long[] c = ops.takeCounts();
                row = new DriftRow(precision, name, row.maxAbs(), row.relRms(), c[0], c[1], row.nans());
            }
            rows.add(row);
            return low;
        });
        loss.put(precision, lossAndPpl(logits, ref.batch));
        argmax.put(precision, argmaxChanged(ref.logits, logits, ref.batch));
    }

    /**
     * The forward pass in evaluation mode (no dropout, no graph kept), with {@code probe} seeing each layer
     * boundary ({@link Probe}): logits (B, T, V). What the probe returns is what the next layer reads.
     */
    public static Tensor forward(MiniGPT model, Protocol.Padded b, Probe probe) {
        try (var off = minitrain.autograd.Grad.off()) {
            return model.forward(b.inputs(), b.real(), false, null, probe);
        }
    }

    /** A new array: every value of {@code a} rounded by {@code f} (e.g. HalfFloats::roundFp16), same shape. */
    public static INDArray round(INDArray a, DoubleUnaryOperator f) {
        double[] v = Nd.values(a);
        for (int i = 0; i < v.length; i++) v[i] = f.applyAsDouble(v[i]);
        return Nd.array(v, a.shape());
    }

    /** Every weight rounded by {@code f}, under its name: a state dict to {@link MiniGPT#load}. */
    public static Map<String, INDArray> round(Map<String, INDArray> weights, DoubleUnaryOperator f) {
        Map<String, INDArray> rounded = new LinkedHashMap<>();
        weights.forEach((k, v) -> rounded.put(k, round(v, f)));
        return rounded;
    }

    /** {mean NLL per token, perplexity} over the batch's real targets. */
    static double[] lossAndPpl(Tensor logits, Protocol.Padded b) {
        double nll = CrossEntropy.apply(logits, b.targets(), b.real(), b.tokens()).item();
        return new double[] {nll, Math.exp(nll)};
    }

    /** Share of real positions whose most likely next token changed. */
    static double argmaxChanged(Tensor ref, Tensor low, Protocol.Padded b) {
        double[] r = Nd.values(ref.data), l = Nd.values(low.data);
        int v = (int) ref.shape()[2], t = b.inputs()[0].length, changed = 0, n = 0;
        for (int row = 0; row < b.inputs().length; row++) {
            for (int i = 0; i < t; i++) {
                if (!b.real()[row][i]) continue; // a real input's target is real: the loss counts it
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

    /**
     * Writes {@code drift.csv} (one row per precision and layer) and, beside it, {@code drift.json}: which model
     * and sample were measured, the loss and argmax figures, the git commit and the environment. The phase
     * report reads the record to check that the drift files belong to the published model.
     */
    public static void write(Result r, PublishedModel pm, int records, Path dir) {
        writeCsv(r.rows(), dir.resolve("drift.csv"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", pm.file().getFileName().toString());
        m.put("model_sha256", pm.sha256());
        m.put("sample", "the first " + records + " val records; for fp16" + ARITH + " and bf16" + ARITH
                + " the first " + Math.min(ARITH_RECORDS, records));
        m.put("precisions", "fp16, bf16: weights and each layer's output rounded; "
                + "fp16" + EVERY_OP + ", bf16" + EVERY_OP
                + ": every operation's output rounded too, arithmetic in fp64 between roundings; "
                + "fp16" + ARITH + ", bf16" + ARITH
                + ": as the every-op rows, and the matrix products computed by ND4J in the format"
                + " (every product and partial sum rounded)");
        m.put("loss_nats_and_ppl", r.loss());
        m.put("argmax_changed", r.argmaxChanged());
        m.put("kit_version", Kit.version());
        m.put("git_commit", Environment.gitCommit(Kit.root()));
        m.put("environment", Environment.describe());
        AtomicFiles.writeString(dir.resolve("drift.json"), Json.pretty(m));
    }

    public static void writeCsv(List<DriftRow> rows, Path file) {
        StringBuilder sb = new StringBuilder(DriftRow.CSV_HEADER).append('\n');
        for (DriftRow r : rows) sb.append(r.csv()).append('\n');
        AtomicFiles.writeString(file, sb.toString());
    }
}
