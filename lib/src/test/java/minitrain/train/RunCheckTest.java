package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import minitrain.autograd.Nd;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class RunCheckTest {

    static final double QUIET_NAN_WITH_PAYLOAD = Double.longBitsToDouble(0x7ff8000000000001L);

    @Test
    void bitsNotDoubleEquality() {
        assertEquals(-1, RunCheck.firstDifferentBits(new double[] {1, Double.NaN}, new double[] {1, Double.NaN}));
        assertEquals(0, RunCheck.firstDifferentBits(new double[] {0.0, 2}, new double[] {-0.0, 2}));
        assertEquals(0, RunCheck.firstDifferentBits(new double[] {QUIET_NAN_WITH_PAYLOAD}, new double[] {Double.NaN}));
        assertEquals(1, RunCheck.firstDifferentBits(new double[] {1, 2}, new double[] {1, Math.nextUp(2.0)}));
        assertEquals(2, RunCheck.firstDifferentBits(new double[] {1, 2}, new double[] {1, 2, 3}));
        assertEquals(-1, RunCheck.firstDifferentBits(new double[0], new double[0]));
    }

    @Test
    void sameBitsSaysCorrectNotAnsweredOrWhereItDiffers() {
        double[] ref = {1.5, -0.0, Double.NaN};
        assertEquals("correct: x gives the reference's 3 values, bit for bit",
                RunCheck.sameBits("x", ref.clone(), ref, "h"));
        assertTrue(RunCheck.sameBits("x", null, ref, "h").startsWith("not answered yet: write x"));
        String wrong = RunCheck.sameBits("x", new double[] {1.5, 0.0, Double.NaN}, ref, "Reload the copy.");
        assertTrue(wrong.startsWith("not right yet: x differs first at element 1: 0.0 (bits 0x0)"), wrong);
        assertTrue(wrong.endsWith("Reload the copy."), wrong);
        assertTrue(RunCheck.sameBits("x", new double[2], ref, "h").startsWith("not right yet: x gives 2 values"));
    }

    static Map<String, INDArray> tensors(double... w) {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("w", Nd.array(w, 2, 2));
        t.put("optim.m.w", Nd.array(new double[] {0, 0, 0, 0}, 2, 2));
        return t;
    }

    static Map<String, String> meta(String step, String optimizerStep, String dropout) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("optimizer_step", optimizerStep);
        m.put("dropout_rng", dropout);
        return m;
    }

    @Test
    void sameStateNamesTheFirstDifferingTensorElementAndThePartToRestore() {
        var ref = tensors(1, 2, 3, 4);
        var refMeta = meta("24", "24", "99");
        assertTrue(RunCheck.sameState("run", tensors(1, 2, 3, 4), meta("24", "24", "99"), ref, refMeta)
                .startsWith("correct: run gives the reference's state at step 24: 2 tensors"));
        assertTrue(RunCheck.sameState("run", null, null, ref, refMeta).startsWith("not answered yet: write run"));
        assertTrue(RunCheck.sameState("run", (TrainingRun) null, null).startsWith("not answered yet: write run"));

        String dropout = RunCheck.sameState("run", tensors(1, 2, 3.5, 4), meta("24", "24", "7"), ref, refMeta);
        assertTrue(dropout.startsWith("not right yet: run differs first in w at element [1, 0]: 3.5"), dropout);
        assertTrue(dropout.contains("the dropout generator (Checkpoint.Part.DROPOUT_RNG)"), dropout);
        assertFalse(dropout.contains("MOMENTS"), dropout);

        String moments = RunCheck.sameState("run", tensors(1, 2, 3, 4), meta("24", "16", "99"), ref, refMeta);
        assertTrue(moments.startsWith("not right yet: run's metadata \"optimizer_step\" is 16"), moments);
        assertTrue(moments.contains("AdamW's moments (Checkpoint.Part.MOMENTS)"), moments);

        String early = RunCheck.sameState("run", tensors(1, 2, 3, 4), meta("11", "11", "99"), ref, refMeta);
        assertTrue(early.startsWith("not right yet: run stops at step 11, the reference at step 24."), early);
        assertTrue(early.contains("TrainingLoop.run goes on until the run is finished()"), early);
        assertFalse(early.contains("MOMENTS"), "the step explains the rest: " + early);

        Map<String, INDArray> missing = new LinkedHashMap<>(ref);
        missing.remove("optim.m.w");
        assertTrue(RunCheck.sameState("run", missing, refMeta, ref, refMeta)
                .startsWith("not right yet: run has no tensor optim.m.w"));
    }
}
