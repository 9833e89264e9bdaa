package minitrain.autograd;

import java.nio.DoubleBuffer;
import minitrain.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout: in training each value is kept with probability 1 - p and scaled by 1 / (1 - p), so
 * the expected value is unchanged and evaluation needs no rescaling. The mask comes from the kit's Rng,
 * so a run and its resumed copy drop the same values. In evaluation it is the identity.
 */
public final class Dropout {

    private Dropout() {}

    public static Tensor apply(Tensor x, double p, boolean train, Rng rng) {
        if (!train || p == 0) return x;
        long[] shape = x.shape();
        INDArray in = Nd.contiguous(x.data), out = Nd.uninitialized(shape);
        long n = in.length();
        double[] mask = new double[(int) n];
        double keep = 1 / (1 - p);
        for (int i = 0; i < n; i++) mask[i] = rng.nextDouble() < p ? 0 : keep;   // drawn in order, on this thread
        DoubleBuffer xv = Nd.buffer(in), y = Nd.buffer(out);
        Nd.forChunks(n, (from, to) -> {
            for (int i = from; i < to; i++) y.put(i, xv.get(i) * mask[i]);
        });
        java.lang.ref.Reference.reachabilityFence(in);
        return Tensor.of(out, "dropout", g -> {
            INDArray gc = Nd.contiguous(g), dxArray = Nd.uninitialized(shape);
            DoubleBuffer gv = Nd.buffer(gc), dx = Nd.buffer(dxArray);
            Nd.forChunks(n, (from, to) -> {
                for (int i = from; i < to; i++) dx.put(i, gv.get(i) * mask[i]);
            });
            java.lang.ref.Reference.reachabilityFence(gc);
            x.accumulateOwned(dxArray);
        }, x);
    }
}
