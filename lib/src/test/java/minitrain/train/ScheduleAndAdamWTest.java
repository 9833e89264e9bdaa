package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import minitrain.autograd.Nd;
import minitrain.autograd.Tensor;
import org.junit.jupiter.api.Test;

class ScheduleAndAdamWTest {

    /** peak 1e-3, floor 1e-4, warmup 10, 110 steps: the decay runs from step 10 to step 109 (99 intervals). */
    @Test
    void scheduleTable() {
        LrSchedule s = new LrSchedule(1e-3, 1e-4, 10, 110);
        assertEquals(1e-4, s.lr(0), 1e-18);           // (0 + 1) / 10 * peak: step 0 already learns
        assertEquals(2e-4, s.lr(1), 1e-18);           // (1 + 1) / 10 * peak
        assertEquals(1e-3, s.lr(9), 1e-18);           // last warmup step reaches the peak
        assertEquals(1e-3, s.lr(10), 1e-18);          // cosine starts at the peak: cos(0) = 1
        // middle of the decay: progress (59.5 - 10) / 99 = 0.5 is between steps; at step 59 progress = 49/99
        assertEquals(1e-4 + 0.5 * 9e-4 * (1 + Math.cos(Math.PI * 49 / 99.0)), s.lr(59), 1e-18);
        assertEquals(1e-4, s.lr(109), 1e-18);         // the floor exactly at the last step
        assertTrue(s.lr(0) > 0, "step 0 must not have a zero learning rate");
        for (int i = 10; i < 109; i++) assertTrue(s.lr(i + 1) <= s.lr(i), "monotone decay at " + i);
        assertEquals(1e-3, s.withoutWarmup().lr(0), 1e-18);
    }

    /**
     * Two AdamW steps on w = [1, -2] (decayed, a matrix row) and b = [0.5] (not decayed) with
     * lr 0.1, betas (0.9, 0.99), eps 1e-8, weight decay 0.5, gradients g1 = [0.2, -0.4], [1.0]
     * then g2 = [0.1, 0.3], [-1.0].
     */
    @Test
    void twoStepsByHand() {
        Tensor w = Tensor.param(Nd.array(new double[] {1, -2}, 1, 2));
        Tensor b = Tensor.param(Nd.array(new double[] {0.5}, 1));
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", w);
        params.put("b", b);
        AdamW opt = new AdamW(params, Set.of("w"), 0.9, 0.99, 1e-8, 0.5);
        w.grad().assign(Nd.array(new double[] {0.2, -0.4}, 1, 2));
        b.grad().assign(Nd.array(new double[] {1.0}, 1));
        opt.step(0.1);
        // Step 1, w[0]: decay 1 - 0.1*0.5*1 = 0.95; m = 0.02, v = 0.0004; mhat = 0.2, vhat = 0.04;
        // update 0.1 * 0.2 / (0.2 + 1e-8) = 0.1 * 0.99999995 -> w = 0.95 - 0.099999995 = 0.850000005
        assertEquals(0.95 - 0.1 * 0.2 / (0.2 + 1e-8), w.data.getDouble(0, 0), 1e-15);
        // w[1]: -2 + 0.1 = -1.9 after decay; g = -0.4 -> mhat = -0.4, sqrt(vhat) = 0.4 -> w = -1.9 + 0.1*0.4/(0.4+1e-8)
        assertEquals(-1.9 + 0.1 * 0.4 / (0.4 + 1e-8), w.data.getDouble(0, 1), 1e-15);
        // b: no decay; mhat = 1, vhat = 1 -> b = 0.5 - 0.1 / (1 + 1e-8)
        assertEquals(0.5 - 0.1 / (1 + 1e-8), b.data.getDouble(0), 1e-15);
        double w0 = w.data.getDouble(0, 0), bb = b.data.getDouble(0);
        w.grad().assign(Nd.array(new double[] {0.1, 0.3}, 1, 2));
        b.grad().assign(Nd.array(new double[] {-1.0}, 1));
        opt.step(0.1);
        // Step 2, w[0]: m = 0.9*0.02 + 0.1*0.1 = 0.028; v = 0.99*0.0004 + 0.01*0.01 = 0.000496;
        // mhat = 0.028 / (1 - 0.81) = 0.147368...; vhat = 0.000496 / (1 - 0.9801) = 0.0249246...
        double m = 0.028 / 0.19, v = 0.000496 / (1 - 0.9801);
        assertEquals(w0 * 0.95 - 0.1 * m / (Math.sqrt(v) + 1e-8), w.data.getDouble(0, 0), 1e-15);
        // b: m = 0.9*0.1 + 0.1*(-1) = -0.01; v = 0.99*0.01 + 0.01*1 = 0.0199
        double mb = -0.01 / 0.19, vb = 0.0199 / (1 - 0.9801);
        assertEquals(bb - 0.1 * mb / (Math.sqrt(vb) + 1e-8), b.data.getDouble(0), 1e-15);
        assertEquals(2, opt.steps());
    }

    @Test
    void clippingScalesToTheLimitAndReportsTheNormBefore() {
        Tensor a = Tensor.param(Nd.zeros(2));
        a.grad().assign(Nd.array(new double[] {3, 4}, 2));
        Map<String, Tensor> p = Map.of("a", a);
        assertEquals(5.0, GradClip.clip(p, 1.0), 1e-15);
        assertEquals(1.0, GradClip.norm(p), 1e-6);
        assertEquals(2.5, GradClip.clip(Map.of("a", gradOf(1.5, 2)), 10), 1e-15); // under the limit: untouched
        Tensor bad = gradOf(1, Double.NaN);
        Map<String, Tensor> q = new LinkedHashMap<>();
        q.put("fine", gradOf(1, 2));
        q.put("broken", bad);
        assertEquals("broken", GradClip.firstNonFinite(q));
    }

    static Tensor gradOf(double... g) {
        Tensor t = Tensor.param(Nd.zeros(g.length));
        t.grad().assign(Nd.array(g, g.length));
        return t;
    }
}
