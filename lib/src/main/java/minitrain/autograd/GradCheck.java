package minitrain.autograd;

import java.util.List;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checks hand-written gradients against central finite differences, (f(x + h) - f(x - h)) / 2h, in fp64.
 * The error is measured per input as ||analytic - numeric|| / max(||analytic||, ||numeric||): one number per
 * tensor that does not blow up on the many entries whose gradient is nearly zero.
 */
public final class GradCheck {

    public static final double H = 1e-5;

    private GradCheck() {}

    /** The worst relative error over {@code inputs}; throws AssertionError above {@code tolerance}. */
    public static double check(String name, Supplier<Tensor> f, List<Tensor> inputs, double tolerance) {
        for (Tensor in : inputs) in.zeroGrad();
        Tensor out = f.get();
        out.backward();
        double worst = 0;
        for (int n = 0; n < inputs.size(); n++) {
            Tensor in = inputs.get(n);
            INDArray analytic = in.grad().dup();
            double[] a = Nd.values(analytic);
            double[] numeric = new double[a.length];
            INDArray flat = in.data.reshape(in.data.length()); // a view: writes go to in.data
            for (int i = 0; i < a.length; i++) {
                double x0 = flat.getDouble(i);
                flat.putScalar(i, x0 + H);
                double plus = value(f);
                flat.putScalar(i, x0 - H);
                double minus = value(f);
                flat.putScalar(i, x0);
                numeric[i] = (plus - minus) / (2 * H);
            }
            double diff = 0, na = 0, nn = 0;
            int worstIndex = 0;
            double worstAbs = -1;
            for (int i = 0; i < a.length; i++) {
                double d = a[i] - numeric[i];
                diff += d * d;
                na += a[i] * a[i];
                nn += numeric[i] * numeric[i];
                if (Math.abs(d) > worstAbs) { worstAbs = Math.abs(d); worstIndex = i; }
            }
            double rel = Math.sqrt(diff) / Math.max(Math.max(Math.sqrt(na), Math.sqrt(nn)), 1e-300);
            if (na == 0 && nn == 0) rel = 0;
            worst = Math.max(worst, rel);
            if (!(rel < tolerance)) {
                throw new AssertionError(String.format(
                        "gradient check of %s failed for argument %d %s: relative error %.3e > %.0e; worst at flat"
                                + " index %d: expected (numeric) %.12e, received (analytic) %.12e",
                        name, n, in, rel, tolerance, worstIndex, numeric[worstIndex], a[worstIndex]));
            }
        }
        return worst;
    }

    private static double value(Supplier<Tensor> f) {
        try (var off = Grad.off()) {
            return f.get().data.sumNumber().doubleValue();
        }
    }
}
