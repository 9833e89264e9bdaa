package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import minitrain.Rng;
import minitrain.model.GPTConfig;
import minitrain.model.MiniGPT;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pass inside StepMemory computes the same bits as one outside it, and what must outlive the pass does: the
 * parameters' gradients are still intact after the block has been reused by the next pass.
 */
class StepMemoryTest {

    static final GPTConfig CONFIG = new GPTConfig(2, 2, 8, 6, 9, 0.1);

    static Tensor pass(MiniGPT model, long seed) {
        Rng r = new Rng(seed);
        int[][] idx = new int[3][6], tgt = new int[3][6];
        boolean[][] real = new boolean[3][6], counted = new boolean[3][6];
        for (int b = 0; b < 3; b++) for (int i = 0; i < 6; i++) {
            idx[b][i] = r.nextInt(9);
            tgt[b][i] = r.nextInt(9);
            real[b][i] = counted[b][i] = i < 6 - b;   // rows of different lengths: padding in the batch
        }
        Tensor loss = CrossEntropy.apply(model.forward(idx, real, true, new Rng(seed + 1)), tgt, counted, 12);
        loss.backward();
        return loss;
    }

    static Map<String, double[]> gradients(MiniGPT model) {
        Map<String, double[]> g = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> g.put(name, Nd.values(p.grad())));
        return g;
    }

    @Test
    void gradientsAreTheSameBitsAndOutliveTheBlock() {
        MiniGPT model = new MiniGPT(CONFIG, new Rng(7));
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> arrays.put(name, p.grad()));
        double plainLoss = pass(model, 1).item();
        Map<String, double[]> plain = gradients(model);

        model.zeroGrad();
        double inBlockLoss;
        try (StepMemory memory = StepMemory.open()) {
            inBlockLoss = pass(model, 1).item();
        }
        Map<String, double[]> inBlock = gradients(model);

        // The next pass fills the same block with other values (evaluation: no gradient is added); the
        // gradients of the pass before must not move.
        try (StepMemory memory = StepMemory.open()) {
            model.evaluate(new int[][] {{1, 2, 3, 4, 5, 6}}, new boolean[][] {{true, true, true, true, true, true}});
        }
        assertEquals(plainLoss, inBlockLoss, 0.0);
        for (String name : plain.keySet()) {
            INDArray grad = model.parameters().get(name).grad();
            assertSame(arrays.get(name), grad, name + ": the gradient array made with the parameter is the one used");
            assertFalse(grad.isAttached(), name + ": a parameter's gradient lives in the pass's block");
            assertArrayEquals(plain.get(name), inBlock.get(name), 0.0, name);
            assertArrayEquals(plain.get(name), Nd.values(grad), 0.0, name);
        }
    }

    @Test
    void zeroGradEmptiesEveryGradientInPlace() {
        MiniGPT model = new MiniGPT(CONFIG, new Rng(7));
        pass(model, 1);
        assertTrue(gradients(model).values().stream().anyMatch(g -> java.util.Arrays.stream(g).anyMatch(v -> v != 0)));
        model.zeroGrad();
        for (double[] g : gradients(model).values()) for (double v : g) assertEquals(0.0, v, 0.0);
    }
}
