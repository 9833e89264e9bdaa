package minitrain.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitrain.Kit;
import minitrain.KitError;
import minitrain.Rng;
import minitrain.autograd.Counters;
import minitrain.autograd.OpHook;
import minitrain.autograd.Nd;
import minitrain.checkpoint.Environment;
import minitrain.checkpoint.SafeTensors;
import minitrain.model.GPTConfig;
import minitrain.model.MiniGPT;
import minitrain.corpus.Corpus;
import minitrain.train.Batch;
import minitrain.train.TrainConfig;
import minitrain.train.TrainingLoop;
import minitrain.train.TrainingRun;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code minitrain bench}: the cost of one training step (forward, backward, clipping, AdamW) after warm-up,
 * on real batches of the corpus, one line per configuration:
 * {@code bench NAME ms_per_step=… tokens_per_s=… gflops=… ops_per_step=… alloc_mb_per_step=…
 * peak_rss_mb=… blas_mode=… blas_coretype=… products=…} (the mode and OpenBLAS kernels of the matrix products,
 * bin/blas-env, and whether the kit's AVX-512 kernel computes them instead: autograd.Avx512Gemm).
 * gflops counts matrix-product FLOPs (from the shapes of every product computed); alloc_mb_per_step is JVM
 * heap allocated by all threads; ND4J's arrays live off-heap, in the block of native memory one pass reuses
 * (autograd.StepMemory), reported as pass_mb. The counts come from an {@link Counters} hook installed around
 * the steps. docs/performance.md keeps the figures measured so far, to compare with.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time training steps: shipped, d64-l2 and d128-l4 configurations.")
public final class BenchCommand implements Runnable {

    static final List<String> CONFIGS = List.of("shipped", "d64-l2", "d128-l4");

    @Option(names = "--config", description = "shipped, d64-l2, d128-l4, a config file, or checkpoint (save and load"
            + " speed); default: the three and checkpoint.")
    String config;

    // Enough steps for a bucketed config's short and long batches to average out.
    @Option(names = "--steps", description = "Timed steps (default 100).")
    int steps = 100;

    // The JIT keeps compiling for the first 300-400 steps of the shipped config (docs/performance.md, Warm-up).
    // A full training run is nearly all steady state, so time that.
    @Option(names = "--warmup",
            description = "Untimed steps first: JIT compilation, the pass's memory block sized (default 400).")
    int warmup = 400;

    @Option(names = "--profile", description = "Also time each kind of operation, forward and backward (ms per step).")
    boolean profile;

    @Override
    public void run() {
        if (steps < 1 || warmup < 1) throw new KitError("--steps and --warmup must be at least 1");
        if ("checkpoint".equals(config)) {
            checkpoints();
            return;
        }
        Corpus corpus = Corpus.load(Kit.root().resolve("corpus"));
        for (String name : config == null ? CONFIGS : List.of(config)) bench(name, configFor(name), corpus);
        if (config == null) checkpoints();
    }

    /**
     * {@code bench checkpoint ...}: saving (atomic: temporary file, fsync, rename) and loading (parsed and checked,
     * into ND4J arrays) a training checkpoint of the shipped configuration - weights and AdamW's two moments -
     * and the same tensors twelve times over, where the fixed costs of a file no longer dominate. Best of five,
     * in build/bench on the kit's own disk.
     */
    void checkpoints() {
        GPTConfig shipped = new GPTConfig(3, 4, 96, 64, 38, 0.05);
        Map<String, INDArray> one = new LinkedHashMap<>(), twelve = new LinkedHashMap<>();
        Rng rng = new Rng(1);
        for (String part : List.of("", "optim.m.", "optim.v.")) {
            MiniGPT.shapes(shipped).forEach((name, shape) -> {
                long n = 1;
                for (long d : shape) n *= d;
                double[] v = new double[(int) n];
                for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
                one.put(part + name, Nd.array(v, shape));
            });
        }
        for (int copy = 0; copy < 12; copy++) {
            for (var e : one.entrySet()) twelve.put("copy" + copy + "." + e.getKey(), e.getValue());
        }
        Path dir = Kit.root().resolve("build/bench");
        try {
            Files.createDirectories(dir);
            double[] small = saveAndLoad(dir.resolve("checkpoint.safetensors"), one);
            double[] big = saveAndLoad(dir.resolve("checkpoint-x12.safetensors"), twelve);
            System.out.printf("bench checkpoint mb=%.1f save_mb_per_s=%.0f load_mb_per_s=%.0f big_mb=%.1f"
                            + " big_save_mb_per_s=%.0f big_load_mb_per_s=%.0f%n",
                    small[0], small[1], small[2], big[0], big[1], big[2]);
        } catch (IOException e) {
            throw KitError.in(dir, "cannot time checkpoints there: " + e.getMessage());
        }
    }

    /** {MB, best save MB/s, best load MB/s}; the file is removed afterwards. */
    static double[] saveAndLoad(Path file, Map<String, INDArray> tensors) throws IOException {
        double save = 0, load = 0, mb = 0;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            SafeTensors.write(file, tensors, Map.of("format", "bench"));
            long t1 = System.nanoTime();
            SafeTensors.read(file);
            long t2 = System.nanoTime();
            mb = Files.size(file) / 1e6;
            save = Math.max(save, mb / ((t1 - t0) / 1e9));
            load = Math.max(load, mb / ((t2 - t1) / 1e9));
        }
        Files.delete(file);
        return new double[] {mb, save, load};
    }

    static TrainConfig configFor(String name) {
        return switch (name) {
            case "shipped" -> TrainConfig.read(Kit.root().resolve("experiments/18-train-mini/config.json"));
            // The PyTorch reference: n_layer 2, n_head 4, n_embd 64, block 64, batch 32 (~112k parameters).
            case "d64-l2" ->
                    TrainConfig.fromJson("{\"n_layer\": 2, \"n_head\": 4, \"n_embd\": 64, \"batch_size\": 32}", name);
            case "d128-l4" ->
                    TrainConfig.fromJson("{\"n_layer\": 4, \"n_head\": 4, \"n_embd\": 128, \"batch_size\": 32}", name);
            default -> {
                Path file = Path.of(name);
                if (!Files.isRegularFile(file)) {
                    throw new KitError("--config: not one of " + CONFIGS + " nor a file: " + name);
                }
                yield TrainConfig.read(file);
            }
        };
    }

    void bench(String name, TrainConfig base, Corpus corpus) {
        // Same model and optimizer; no dev evaluation or checkpoint inside the timed steps.
        var m = base.toMap();
        m.put("max_steps", warmup + steps);
        m.put("warmup_steps", 1);
        m.put("eval_every", 1_000_000);
        m.put("ckpt_every", 1_000_000);
        TrainConfig c = TrainConfig.fromJson(minitrain.Json.compact(m), name);
        TrainingRun r = TrainingRun.start(c, corpus, null);
        Counters counters = new Counters(profile);
        long[] t = new long[warmup + steps + 1];
        long[] flops = new long[2], ops = new long[2], heap = new long[2];
        double[] tokens = {0};
        t[0] = System.nanoTime();
        try (var on = OpHook.install(counters)) {
            TrainingLoop.run(r, (step, lr, loss, dev, g, tps) -> {
                t[step + 1] = System.nanoTime();
                if (step + 1 == warmup) {                      // the timed window starts after this step
                    flops[0] = counters.flops();
                    ops[0] = counters.ops();
                    heap[0] = heapAllocated();
                    counters.resetTimes();
                } else if (step >= warmup) {
                    tokens[0] += tps * (t[step + 1] - t[step]) / 1e9;   // counted targets of this step
                }
            });
        }
        flops[1] = counters.flops();
        ops[1] = counters.ops();
        heap[1] = heapAllocated();
        double seconds = (t[warmup + steps] - t[warmup]) / 1e9;
        double[] per = new double[steps];
        for (int i = 0; i < steps; i++) per[i] = (t[warmup + i + 1] - t[warmup + i]) / 1e6;
        Arrays.sort(per);
        System.out.printf("bench %s ms_per_step=%.1f tokens_per_s=%.0f gflops=%.2f ops_per_step=%d"
                        + " alloc_mb_per_step=%.1f peak_rss_mb=%.0f median_ms=%.1f params=%d pass_mb=%.0f warmup=%d"
                        + " pad_fraction=%.3f blas_mode=%s blas_coretype=%s products=%s%n",
                name, 1000 * seconds / steps, tokens[0] / seconds, (flops[1] - flops[0]) / seconds / 1e9,
                (ops[1] - ops[0]) / steps, (heap[1] - heap[0]) / 1e6 / steps, peakRssMb(), per[steps / 2],
                r.model().parameterCount(), minitrain.autograd.StepMemory.bytes() / 1e6, warmup,
                padFraction(c, corpus), Environment.blasMode(), Environment.blasCoreType(),
                minitrain.autograd.Avx512Gemm.products());
        // With --profile: where a step's time goes, per operation kind (ms per step).
        counters.times().forEach((op, ns) -> System.out.printf("  %-16s forward %6.2f ms  backward %6.2f ms%n", op,
                ns[0] / 1e6 / steps, ns[1] / 1e6 / steps));
    }

    /**
     * The share of the timed steps' (B, T) positions that are padding, from the same data order drawn again:
     * work every layer does and the loss mask discards (tokens_per_s counts real targets only).
     */
    double padFraction(TrainConfig c, Corpus corpus) {
        TrainingRun again = TrainingRun.start(c, corpus, null);
        List<Batch> timed = new ArrayList<>();
        for (int s = 0; s < warmup + steps; s++) {
            List<Batch> micro = again.nextMicroBatches();
            if (s >= warmup) timed.addAll(micro);
        }
        return Batch.padFraction(timed);
    }

    /** Bytes the JVM heap handed out to every live thread so far (HotSpot's per-thread counters). */
    static long heapAllocated() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = mx.getAllThreadIds();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(ids)) if (b > 0) sum += b;
        return sum;
    }

    /** The process's peak resident memory (VmHWM), heap, native arrays and code together. */
    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return Double.NaN;
    }
}
