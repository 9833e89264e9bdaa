package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import minitrain.Rng;
import org.junit.jupiter.api.Test;

/**
 * The fused attention computes what {@link Attention#reference} composes step by step (slice, split heads,
 * q k^T / sqrt(d), mask, softmax, dropout, times v, merge heads), forward and backward, with padding and dropout,
 * to 1e-14 relative; and its hand-written backward passes the central-difference check.
 */
class AttentionTest {

    static final int B = 2, T = 5, C = 8, H = 2, D = C / H;
    static final boolean[][] REAL = {{true, true, true, true, true}, {true, true, true, false, false}};

    static void assertClose(double[] want, double[] got, double tol) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), "element " + i);
        }
    }

    @Test
    void fastEqualsTheReferenceForwardAndBackward() {
        for (boolean train : new boolean[] {false, true}) {
            Tensor a = GradCheckTest.randn(new Rng(5), B, T, 3 * C), b = GradCheckTest.randn(new Rng(5), B, T, 3 * C);
            Tensor r = Tensor.constant(GradCheckTest.randn(new Rng(6), B, T, C).data);
            Tensor fused = Attention.apply(a, H, REAL, 0.3, train, new Rng(7));
            Tensor reference = Attention.reference(b, H, REAL, 0.3, train, new Rng(7));   // same seed, same draws
            assertClose(Nd.values(reference.data), Nd.values(fused.data), 1e-14);
            Reduce.sum(Arithmetic.mul(fused, r)).backward();
            Reduce.sum(Arithmetic.mul(reference, r)).backward();
            assertClose(Nd.values(b.grad()), Nd.values(a.grad()), 1e-14);
        }
    }

    @Test
    void paddingKeysAndTheFutureGetNoWeight() {
        // Changing a padded key's or a future key's values must not move any real query's output.
        Tensor x = GradCheckTest.randn(new Rng(8), B, T, 3 * C);
        double[] before = Nd.values(Attention.apply(x, H, REAL, 0, false, null).data);
        double[] v = Nd.values(x.data);
        for (int ch = 0; ch < 3 * C; ch++) v[(1 * T + 4) * 3 * C + ch] += 100;   // row 1, position 4: padding
        Tensor moved = Tensor.constant(Nd.array(v, B, T, 3 * C));
        double[] after = Nd.values(Attention.apply(moved, H, REAL, 0, false, null).data);
        for (int i = 0; i < 3; i++) for (int ch = 0; ch < C; ch++) {
            int at = (1 * T + i) * C + ch;
            assertEquals(before[at], after[at], 0.0, "a real query read a padded key");
        }
        for (int ch = 0; ch < C; ch++) assertEquals(before[ch], after[ch], 0.0);     // row 0 untouched
    }

    @Test
    void gradientCheck() {
        Tensor x = GradCheckTest.randn(new Rng(9), B, T, 3 * C);
        Tensor r = Tensor.constant(GradCheckTest.randn(new Rng(10), B, T, C).data);
        GradCheck.check("attention", () -> Reduce.sum(Arithmetic.mul(Attention.apply(x, H, REAL, 0, false, null), r)),
                List.of(x), GradCheckTest.TOL);
    }
}
