package minitrain.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import minitrain.Rng;
import minitrain.autograd.AttentionMask;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.LayerNorm;
import minitrain.autograd.Linear;
import minitrain.autograd.MatMul;
import minitrain.autograd.Nd;
import minitrain.autograd.Reduce;
import minitrain.autograd.Softmax;
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
 * Shapes: x (B*T, C) = (2048, 64); attention (B, H, T, D) = (32, 4, 64, 16); logits (B, T, V) = (32, 64, 38).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OpsBenchmark {

    static final int B = 32, T = 64, C = 64, H = 4, D = C / H, V = 38;
    Tensor x, w, bias, lnW, lnB, q, k, v, logits, gamma, beta;
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
        q = random(rng, true, B, H, T, D);
        k = random(rng, true, B, H, T, D);
        v = random(rng, true, B, H, T, D);
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
            p.grad = random(rng, false, 8000).data;
            params.put("p" + i, p);
        }
        adamW = new AdamW(params, params.keySet(), 0.9, 0.99, 1e-8, 0.1);
    }

    private static void clear(Tensor... ts) {
        for (Tensor t : ts) t.grad = null;
    }

    @Benchmark
    public Object linearForwardBackward() {
        clear(x, w, bias);
        Tensor y = Linear.apply(x, w, bias);                  // (2048, 64) x (64, 256)^T
        Reduce.sum(y).backward();
        return w.grad;
    }

    @Benchmark
    public Object attentionForwardBackward() {
        clear(q, k, v);
        Tensor att = MatMul.apply(q, k, true, 1.0 / Math.sqrt(D));
        att = Softmax.softmax(AttentionMask.apply(att, real));
        Tensor y = MatMul.apply(att, v);
        Reduce.sum(y).backward();
        return q.grad;
    }

    @Benchmark
    public Object layerNormForwardBackward() {
        clear(x, lnW, lnB);
        Reduce.sum(LayerNorm.apply(x, lnW, lnB)).backward();
        return x.grad;
    }

    @Benchmark
    public Object softmaxCrossEntropyForwardBackward() {
        clear(logits);
        Tensor loss = CrossEntropy.apply(logits, targets, counted, 1000);
        loss.backward();
        return logits.grad;
    }

    @Benchmark
    public int adamWUpdate() {
        adamW.step(1e-3);
        return adamW.steps();
    }
}
