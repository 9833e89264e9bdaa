package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.function.Function;
import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every operation's hand-written backward against central differences, in fp64: relative error below 1e-7. */
class GradCheckTest {

    static final double TOL = 1e-7;

    static Tensor randn(Rng rng, long... shape) {
        INDArray a = Nd.zeros(shape);
        INDArray flat = a.reshape(a.length());
        for (long i = 0; i < a.length(); i++) flat.putScalar(i, rng.nextGaussian());
        return Tensor.param(a);
    }

    /** f = sum(op(x) * R) with a fixed random R, so every output element matters with a different weight. */
    static double check(String name, Function<List<Tensor>, Tensor> op, Tensor... inputs) {
        Tensor probe = op.apply(List.of(inputs));
        Tensor r = Tensor.constant(randn(new Rng(99), probe.shape()).data);
        return GradCheck.check(name, () -> Reduce.sum(Arithmetic.mul(op.apply(List.of(inputs)), r)), List.of(inputs),
                TOL);
    }

    final Rng rng = new Rng(1234);

    @Test
    void linear() {
        check("linear", in -> Linear.apply(in.get(0), in.get(1), in.get(2)),
                randn(rng, 2, 3, 4), randn(rng, 5, 4), randn(rng, 5));
        check("linear without bias", in -> Linear.apply(in.get(0), in.get(1), null),
                randn(rng, 3, 4), randn(rng, 2, 4));
    }

    @Test
    void matmulPlainBatchedAndTransposed() {
        check("matmul 2-D", in -> MatMul.apply(in.get(0), in.get(1)), randn(rng, 3, 4), randn(rng, 4, 2));
        check("matmul batched", in -> MatMul.apply(in.get(0), in.get(1)),
                randn(rng, 2, 3, 4, 5), randn(rng, 2, 3, 5, 2));
        check("matmul q k^T scaled", in -> MatMul.apply(in.get(0), in.get(1), true, 0.25),
                randn(rng, 2, 2, 4, 3), randn(rng, 2, 2, 4, 3));
    }

    @Test
    void arithmeticWithBroadcasting() {
        check("add", in -> Arithmetic.add(in.get(0), in.get(1)), randn(rng, 2, 3, 4), randn(rng, 4));
        check("add (T, C) to (B, T, C)", in -> Arithmetic.add(in.get(0), in.get(1)),
                randn(rng, 2, 3, 4), randn(rng, 3, 4));
        check("sub", in -> Arithmetic.sub(in.get(0), in.get(1)), randn(rng, 2, 3), randn(rng, 2, 1));
        check("mul", in -> Arithmetic.mul(in.get(0), in.get(1)), randn(rng, 2, 3, 4), randn(rng, 1, 3, 1));
        Tensor denom = Tensor.param(randn(rng, 3).data.addi(5)); // away from zero
        check("div", in -> Arithmetic.div(in.get(0), in.get(1)), randn(rng, 2, 3), denom);
        check("scale", in -> Arithmetic.scale(in.get(0), -1.5), randn(rng, 2, 3));
    }

    @Test
    void reductions() {
        check("sum axis 1", in -> Reduce.sum(in.get(0), 1), randn(rng, 2, 3, 4));
        check("sum all", in -> Reduce.sum(in.get(0)), randn(rng, 2, 3));
        check("mean axes 0,2", in -> Reduce.mean(in.get(0), 0, 2), randn(rng, 2, 3, 4));
    }

    @Test
    void shapes() {
        check("reshape", in -> Shape.reshape(in.get(0), 6, 4), randn(rng, 2, 3, 4));
        check("permute", in -> Shape.permute(in.get(0), 0, 2, 1, 3), randn(rng, 2, 3, 4, 2));
        check("slice", in -> Shape.slice(in.get(0), 2, 1, 3), randn(rng, 2, 3, 4));
    }

    @Test
    void embeddingScatterAdd() {
        int[][] idx = {{0, 2, 2, 1}, {2, 2, 0, 3}}; // repeated rows must add up
        check("embedding", in -> Embedding.lookup(in.get(0), idx), randn(rng, 4, 3));
    }

    @Test
    void layerNormGeluSoftmax() {
        check("layernorm", in -> LayerNorm.apply(in.get(0), in.get(1), in.get(2)),
                randn(rng, 2, 3, 5), randn(rng, 5), randn(rng, 5));
        check("gelu", in -> Gelu.apply(in.get(0)), randn(rng, 3, 7));
        check("softmax", in -> Softmax.softmax(in.get(0)), randn(rng, 2, 3, 5));
        check("log_softmax", in -> Softmax.logSoftmax(in.get(0)), randn(rng, 2, 3, 5));
    }

    @Test
    void maskedSoftmaxAttention() {
        boolean[][] real = {{true, true, true, false}, {true, true, true, true}};
        double err = check("mask + softmax", in -> Softmax.softmax(AttentionMask.apply(in.get(0), real)),
                randn(rng, 2, 2, 4, 4));
        assertTrue(err < TOL);
        // The masked weights are exactly zero: no query reads a future key or a pad key.
        Tensor p = Softmax.softmax(AttentionMask.apply(randn(rng, 2, 2, 4, 4), real));
        assertEquals(0.0, p.data.getDouble(0, 0, 0, 1));     // query 0 cannot see key 1
        assertEquals(0.0, p.data.getDouble(0, 1, 3, 3));     // key 3 of batch row 0 is padding
        assertEquals(1.0, p.data.getDouble(1, 0, 0, 0), 1e-15);
    }

    @Test
    void dropoutWithAFixedMask() {
        Tensor x = randn(rng, 3, 8);
        check("dropout", in -> Dropout.apply(in.get(0), 0.3, true, new Rng(7)), x);
        try (var off = Grad.off()) {
            assertSame(x, Dropout.apply(x, 0.3, false, new Rng(7)), "evaluation: identity");
        }
    }

    @Test
    void crossEntropyWithIgnoredTargets() {
        int[][] targets = {{1, 0, 3}, {2, 2, 0}};
        boolean[][] counted = {{true, true, false}, {true, false, false}};
        check("cross entropy", in -> CrossEntropy.apply(in.get(0), targets, counted, 3.0), randn(rng, 2, 3, 4));
        // An ignored position gets no gradient at all.
        Tensor logits = randn(rng, 2, 3, 4);
        CrossEntropy.apply(logits, targets, counted, 3.0).backward();
        double[] g = Nd.values(logits.grad());
        for (int k = 0; k < 4; k++) assertEquals(0.0, g[(0 * 3 + 2) * 4 + k]); // batch 0, position 2
    }

    @Test
    void failureMessageNamesOpArgumentAndIndex() {
        Tensor x = randn(rng, 3);
        // A deliberately wrong backward: claims d(2x)/dx = 1.
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check("wrong double",
                () -> Reduce.sum(Tensor.of(x.data.mul(2), "wrong", g -> x.accumulate(g), x)), List.of(x), TOL));
        assertTrue(e.getMessage().contains("wrong double") && e.getMessage().contains("argument 0")
                && e.getMessage().contains("expected (numeric)"), e.getMessage());
    }

    @Test
    void gradientsAccumulateWhenATensorIsUsedTwice() {
        Tensor x = randn(rng, 4);
        Reduce.sum(Arithmetic.add(x, x)).backward();
        assertEquals(2.0 * 4, x.grad().sumNumber().doubleValue(), 1e-15);
    }

    @Test
    void noGradModeRecordsNothing() {
        Tensor x = randn(rng, 4);
        try (var off = Grad.off()) {
            Tensor y = Arithmetic.mul(x, x);
            assertFalse(y.requiresGrad);
            assertEquals(1, y.graphSize());
        }
    }
}
