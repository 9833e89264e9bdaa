package minitrain.autograd;

import static org.junit.jupiter.api.Assertions.*;

import minitrain.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A matrix read in place inside a larger array gives the same product, bit for bit, as ND4J's on a copy of it;
 * and Linear's product split between the cores equals one product over all rows.
 */
class BlasTest {

    static INDArray random(Rng rng, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
        return Nd.array(v, shape);
    }

    /** How many values differ, bit for bit, between two arrays of the same length. */
    static int differing(double[] want, double[] got) {
        int differ = 0;
        for (int i = 0; i < want.length; i++) {
            if (Double.doubleToRawLongBits(want[i]) != Double.doubleToRawLongBits(got[i])) differ++;
        }
        return differ;
    }

    @Test
    void blocksReadInPlaceMultiplyAsTheirCopies() {
        Rng rng = new Rng(3);
        // qkv-like: (T, 3C) rows with T = 7, C = 12; head 1 of 3 (D = 4): q at column 4, k at 16, v at 28.
        int t = 7, c = 12, d = 4;
        INDArray qkv = random(rng, t, 3 * c);
        INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 8)).dup('c');
        INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(16, 20)).dup('c');
        INDArray scores = Nd.zeros(t, t);
        Blas.gemm(false, true, t, t, d, qkv, 4, 3 * c, qkv, 16, 3 * c, 0, scores, 0, t);
        assertEquals(Nd4j.matmul(q, k, false, true, false), scores);                 // q k^T
        // k^T q into the middle of a larger array, added to what is there (beta = 1).
        INDArray out = random(rng, 3, d, d), before = out.dup();
        Blas.gemm(true, false, d, d, t, qkv, 16, 3 * c, qkv, 4, 3 * c, 1, out, d * d, d);
        assertEquals(before.slice(1).add(Nd4j.matmul(k, q, true, false, false)), out.slice(1));
        assertEquals(before.slice(0), out.slice(0));                               // the rest untouched
        assertEquals(before.slice(2), out.slice(2));
    }

    @Test
    void aHookNamingAFormatGetsTheProductNd4jComputesInIt() {
        Rng rng = new Rng(4);
        INDArray a = random(rng, 5, 6), b = random(rng, 4, 6), out = Nd.zeros(5, 4);
        OpHook inHalf = new OpHook() {
            @Override
            public DataType productFormat() {
                return DataType.HALF;
            }
        };
        try (var on = OpHook.install(inHalf)) {
            Blas.gemm(false, true, 5, 4, 6, a, 0, 6, b, 0, 6, 0, out, 0, 4);
        }
        INDArray half = Nd4j.matmul(a.castTo(DataType.HALF), b.castTo(DataType.HALF), false, true, false)
                .castTo(DataType.DOUBLE);
        assertEquals(half, out);
        assertNotEquals(Nd4j.matmul(a, b, false, true, false), out);                // really not fp64
    }

    @Test
    void linearSplitBetweenTheCoresIsOneProduct() {
        Rng rng = new Rng(5);
        Tensor x = Tensor.constant(random(rng, 3, 37, 20));
        Tensor w = Tensor.param(random(rng, 24, 20)), b = Tensor.param(random(rng, 24));
        INDArray y = Linear.apply(x, w, b).data.reshape(111, 24);
        INDArray one = Nd4j.gemm(x.data.reshape(111, 20), w.data, false, true).addiRowVector(b.data);
        assertEquals(one, y);
    }
}
