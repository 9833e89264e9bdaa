package minitrain.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import minitrain.Rng;
import minitrain.autograd.Attention;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.Dropout;
import minitrain.autograd.Gelu;
import minitrain.autograd.LayerNorm;
import minitrain.autograd.Linear;
import minitrain.autograd.Nd;
import minitrain.autograd.Reduce;
import minitrain.autograd.StepMemory;
import minitrain.autograd.Tensor;
import minitrain.train.AdamW;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot operations of a d64-l2 training step (batch 32, T 64, C 64, 4 heads), each forward and backward,
 * so that a change to one kernel can be judged alone. Run with {@code make bench-ops}; results in us/op.
 * Shapes: x (B*T, C) = (2048, 64); the MLP's hidden (B*T, 4C) = (2048, 256); attention from qkv (B, T, 3C) =
 * (32, 64, 192) with dropout; logits (B, T, V) = (32, 64, 38). Each pass runs in a {@link StepMemory}, as in
 * training; the inputs are parameters, whose gradient arrays are made once and add up from call to call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OpsBenchmark {

    static final int B = 32, T = 64, C = 64, H = 4, D = C / H, V = 38;
    Tensor x, hidden, w, bias, lnW, lnB, qkv, logits;
    final Rng dropoutRng = new Rng(7);
    boolean[][] real, counted;
    int[][] targets;
    AdamW adamW;
    Map<String, Tensor> params;

    static Tensor random(Rng rng, boolean param, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] a = new double[(int) n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextGaussian() * 0.1;
        return param ? Tensor.param(Nd.array(a, shape)) : Tensor.constant(Nd.array(a, shape));
    }

    @Setup
    public void setup() {
        Rng rng = new Rng(1);
        x = random(rng, true, B * T, C);
        w = random(rng, true, 4 * C, C);
        bias = random(rng, true, 4 * C);
        lnW = random(rng, true, C);
        lnB = random(rng, true, C);
        hidden = random(rng, true, B * T, 4 * C);
        qkv = random(rng, true, B, T, 3 * C);
        logits = random(rng, true, B, T, V);
        real = new boolean[B][T];
        counted = new boolean[B][T];
        targets = new int[B][T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                real[b][t] = counted[b][t] = t < 40 + b % 24;   // ragged rows, as padded records are
                targets[b][t] = (b * 7 + t) % V;
            }
        }
        // AdamW over a d64-l2-sized set of parameters (~112k values in 14 tensors).
        params = new LinkedHashMap<>();
        for (int i = 0; i < 14; i++) {
            Tensor p = random(rng, true, 8000);
            p.grad().assign(random(rng, false, 8000).data);
            params.put("p" + i, p);
        }
        adamW = new AdamW(params, params.keySet(), 0.9, 0.99, 1e-8, 0.1);
    }

    @Benchmark
    public Object linearForwardBackward() {
        try (StepMemory pass = StepMemory.open()) {
            Tensor y = Linear.apply(x, w, bias);              // (2048, 64) x (64, 256)^T
            Reduce.sum(y).backward();
        }
        return w.grad();
    }

    @Benchmark
    public Object attentionForwardBackward() {
        try (StepMemory pass = StepMemory.open()) {
            Tensor y = Attention.apply(qkv, H, real, 0.05, true, dropoutRng);
            Reduce.sum(y).backward();
            return qkv.grad();
        }
    }

    @Benchmark
    public Object geluForwardBackward() {
        try (StepMemory pass = StepMemory.open()) {
            Reduce.sum(Gelu.apply(hidden)).backward();
            return hidden.grad();
        }
    }

    @Benchmark
    public Object dropoutForwardBackward() {
        try (StepMemory pass = StepMemory.open()) {
            Reduce.sum(Dropout.apply(hidden, 0.05, true, dropoutRng)).backward();
            return hidden.grad();
        }
    }

    @Benchmark
    public Object layerNormForwardBackward() {
        try (StepMemory pass = StepMemory.open()) {
            Reduce.sum(LayerNorm.apply(x, lnW, lnB)).backward();
            return x.grad();
        }
    }

    @Benchmark
    public Object softmaxCrossEntropyForwardBackward() {
        try (StepMemory pass = StepMemory.open()) {
            CrossEntropy.apply(logits, targets, counted, 1000).backward();
            return logits.grad();
        }
    }

    @Benchmark
    public int adamWUpdate() {
        adamW.step(1e-3);
        return adamW.steps();
    }
}
