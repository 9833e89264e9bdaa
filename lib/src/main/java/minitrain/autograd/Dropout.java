package minitrain.autograd;

import minitrain.Rng;

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
        double[] v = Nd.values(x.data);
        double[] mask = new double[v.length];
        double keep = 1 / (1 - p);
        for (int i = 0; i < v.length; i++) {
            mask[i] = rng.nextDouble() < p ? 0 : keep;
            v[i] *= mask[i];
        }
        return Tensor.of(Nd.array(v, shape), "dropout", g -> {
            double[] gv = Nd.values(g);
            for (int i = 0; i < gv.length; i++) gv[i] *= mask[i];
            x.accumulateOwned(Nd.array(gv, shape));
        }, x);
    }
}
