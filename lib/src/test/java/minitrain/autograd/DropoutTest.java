package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mask drawn on all cores is the one drawn number by number, in C order, and the Rng ends in the same place;
 * the fast dropout equals its reference bit for bit, forward and backward.
 */
class DropoutTest {

    @Test
    void maskIsTheSequentialDraws() {
        Rng parallel = new Rng(42), sequential = new Rng(42);
        double p = 0.1;
        INDArray mask = Dropout.mask(new long[] {3, 5000}, p, parallel);
        double[] got = Nd.values(mask);
        for (int i = 0; i < got.length; i++) {
            assertEquals(sequential.nextDouble() < p ? 0 : 1 / (1 - p), got[i], 0.0, "value " + i);
        }
        assertEquals(sequential.state(), parallel.state());
    }

    @Test
    void fastEqualsTheReferenceBitForBit() {
        ReferenceTest.sameAsReference("dropout", in -> Dropout.apply(in.get(0), 0.2, true, new Rng(42)),
                in -> Dropout.reference(in.get(0), 0.2, true, new Rng(42)), 0, new long[] {3, 5000});
    }
}
