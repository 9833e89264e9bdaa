package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import minitrain.Rng;
import org.junit.jupiter.api.Test;

/**
 * Every fast kernel computes what its readable reference computes, forward and backward: bit for bit where the
 * two do the same arithmetic in the same order, else within the tolerance the kernel's comment states. Each
 * input's gradient is compared after the same loss sum(out * R), R fixed and random. Shapes are large enough
 * that the kernels split their rows between the cores. (Attention: AttentionTest; dropout: DropoutTest.)
 */
class ReferenceTest {

    /** Fresh parameters with the values {@code seed} gives, one per shape: each side gets its own copies. */
    static List<Tensor> inputs(long seed, long[]... shapes) {
        Rng rng = new Rng(seed);
        List<Tensor> out = new ArrayList<>();
        for (long[] s : shapes) out.add(GradCheckTest.randn(rng, s));
        return out;
    }

    /**
     * Runs both sides on equal inputs and compares outputs and gradients: |fast - reference| at most
     * {@code tol * max(1, |reference|)} per value, and identical bits when {@code tol} is 0.
     */
    static void sameAsReference(String name, Function<List<Tensor>, Tensor> fast, Function<List<Tensor>, Tensor> ref,
                                double tol, long[]... shapes) {
        List<Tensor> a = inputs(3, shapes), b = inputs(3, shapes);
        Tensor fa = fast.apply(a), rb = ref.apply(b);
        assertEquals(fa.data.length(), rb.data.length(), name + ": sizes");
        Tensor r = Tensor.constant(GradCheckTest.randn(new Rng(4), fa.shape()).data);
        Reduce.sum(Arithmetic.mul(fa, r)).backward();
        Reduce.sum(Arithmetic.mul(rb, Tensor.constant(r.data.reshape(rb.shape())))).backward();
        assertClose(name + " forward", Nd.values(rb.data), Nd.values(fa.data), tol);
        for (int i = 0; i < a.size(); i++) {
            assertClose(name + " gradient of input " + i, Nd.values(b.get(i).grad()), Nd.values(a.get(i).grad()), tol);
        }
    }

    static void assertClose(String what, double[] want, double[] got, double tol) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (tol == 0) {
                assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got[i]),
                        what + ", value " + i + ": " + want[i] + " vs " + got[i] + " (not the same bits)");
            } else {
                assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), what + ", value " + i);
            }
        }
    }

    @Test
    void linear() {
        sameAsReference("linear", in -> Linear.apply(in.get(0), in.get(1), in.get(2)),
                in -> Linear.reference(in.get(0), in.get(1), in.get(2)), 1e-14,
                new long[] {4, 37, 300}, new long[] {24, 300}, new long[] {24});
        sameAsReference("linear without bias", in -> Linear.apply(in.get(0), in.get(1), null),
                in -> Linear.reference(in.get(0), in.get(1), null), 1e-14, new long[] {50, 16}, new long[] {8, 16});
    }

    @Test
    void layerNorm() {
        sameAsReference("layernorm", in -> LayerNorm.apply(in.get(0), in.get(1), in.get(2)),
                in -> LayerNorm.reference(in.get(0), in.get(1), in.get(2)), 1e-14,
                new long[] {3, 41, 96}, new long[] {96}, new long[] {96});
    }

    @Test
    void geluForwardBitForBit() {
        // 3 x 5000 values: the chunks go to both cores.
        List<Tensor> a = inputs(5, new long[] {3, 5000}), b = inputs(5, new long[] {3, 5000});
        ReferenceTest.assertClose("gelu forward", Nd.values(Gelu.reference(b.get(0)).data),
                Nd.values(Gelu.apply(a.get(0)).data), 0);
    }

    @Test
    void gelu() {
        sameAsReference("gelu", in -> Gelu.apply(in.get(0)), in -> Gelu.reference(in.get(0)), 1e-15,
                new long[] {3, 5000});
    }

    @Test
    void crossEntropy() {
        int bsz = 3, t = 7, v = 11;
        Rng rng = new Rng(8);
        int[][] targets = new int[bsz][t];
        boolean[][] counted = new boolean[bsz][t];
        for (int b = 0; b < bsz; b++) {
            for (int i = 0; i < t; i++) {
                targets[b][i] = rng.nextInt(v);
                counted[b][i] = i < t - b;                          // padding at the end of the shorter rows
            }
        }
        sameAsReference("cross entropy", in -> CrossEntropy.apply(in.get(0), targets, counted, 17),
                in -> CrossEntropy.reference(in.get(0), targets, counted, 17), 1e-14, new long[] {bsz, t, v});
    }

    @Test
    void theReferencesPassTheGradientCheck() {
        Rng rng = new Rng(12);
        GradCheckTest.check("sqrt", in -> Arithmetic.sqrt(in.get(0)), Tensor.param(GradCheckTest.randn(rng, 2, 3)
                .data.mul(0.1).addi(2)));   // away from 0
        GradCheckTest.check("normal cdf", in -> Gelu.normalCdf(in.get(0)), GradCheckTest.randn(rng, 3, 4));
        GradCheckTest.check("layernorm reference", in -> LayerNorm.reference(in.get(0), in.get(1), in.get(2)),
                GradCheckTest.randn(rng, 2, 3, 5), GradCheckTest.randn(rng, 5), GradCheckTest.randn(rng, 5));
        GradCheckTest.check("linear reference", in -> Linear.reference(in.get(0), in.get(1), in.get(2)),
                GradCheckTest.randn(rng, 2, 3, 4), GradCheckTest.randn(rng, 5, 4), GradCheckTest.randn(rng, 5));
        GradCheckTest.check("gelu reference", in -> Gelu.reference(in.get(0)), GradCheckTest.randn(rng, 3, 7));
        int[][] targets = {{1, 0, 3}, {2, 2, 0}};
        boolean[][] counted = {{true, true, false}, {true, false, false}};
        GradCheckTest.check("cross entropy reference", in -> CrossEntropy.reference(in.get(0), targets, counted, 3),
                GradCheckTest.randn(rng, 2, 3, 4));
    }
}
