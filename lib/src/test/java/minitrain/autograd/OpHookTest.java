package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import minitrain.Rng;
import org.junit.jupiter.api.Test;

/** The counters see what runs while they are installed, and nothing after; an inner hook gives way to the outer. */
class OpHookTest {

    @Test
    void countersCountProductsAndOperationsOnlyWhileInstalled() {
        Rng rng = new Rng(1);
        Tensor x = GradCheckTest.randn(rng, 6, 4), w = GradCheckTest.randn(rng, 5, 4), b = GradCheckTest.randn(rng, 5);
        Counters counters = new Counters(true);
        try (var on = OpHook.install(counters)) {
            Reduce.sum(Linear.apply(x, w, b)).backward();
        }
        // Forward y = x W^T (6x4 by 4x5); backward dx = g W and dW = g^T x: three products of 2*6*4*5 FLOPs each.
        assertEquals(3 * 2 * 6 * 4 * 5, counters.flops());
        assertEquals(2, counters.ops(), "linear and sum");
        assertEquals(java.util.Set.of("linear", "sum"), counters.times().keySet());
        Reduce.sum(Linear.apply(x, w, b)).backward();
        assertEquals(3 * 2 * 6 * 4 * 5, counters.flops(), "not installed: nothing counted");
        assertNull(OpHook.active());
    }

    @Test
    void closingAnInnerHookPutsTheOuterBack() {
        Counters outer = new Counters(false), inner = new Counters(false);
        Tensor a = Tensor.constant(Nd.zeros(2));
        try (var o = OpHook.install(outer)) {
            try (var i = OpHook.install(inner)) {
                Arithmetic.add(a, a);
            }
            assertSame(outer, OpHook.active());
            Arithmetic.add(a, a);
        }
        assertEquals(1, inner.ops());
        assertEquals(1, outer.ops());
    }
}
