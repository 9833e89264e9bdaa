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
        model.parameters().forEach((name, p) -> g.put(name, Nd.values(p.grad)));
        return g;
    }

    static void zeroGrad(MiniGPT model) {
        model.parameters().values().forEach(p -> p.grad = null);
    }

    @Test
    void gradientsAreTheSameBitsAndOutliveTheBlock() {
        MiniGPT model = new MiniGPT(CONFIG, new Rng(7));
        double plainLoss = pass(model, 1).item();
        Map<String, double[]> plain = gradients(model);

        zeroGrad(model);
        double inBlockLoss;
        try (StepMemory memory = StepMemory.open()) {
            inBlockLoss = pass(model, 1).item();
        }
        Map<String, INDArray> kept = new LinkedHashMap<>();
        model.parameters().forEach((name, p) -> kept.put(name, p.grad));

        // The next pass fills the same block with other values; the kept gradients must not move.
        zeroGrad(model);
        try (StepMemory memory = StepMemory.open()) {
            pass(model, 2);
        }
        assertEquals(plainLoss, inBlockLoss, 0.0);
        for (String name : plain.keySet()) {
            assertFalse(kept.get(name).isAttached(), name + ": a parameter's gradient lives in the pass's block");
            assertArrayEquals(plain.get(name), Nd.values(kept.get(name)), 0.0, name);
        }
    }
}
