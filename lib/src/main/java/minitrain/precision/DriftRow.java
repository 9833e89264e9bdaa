package minitrain.precision;

/**
 * How far one layer's output moved when the forward pass ran in a lower precision.
 *
 * @param maxAbs    largest |low - fp64| over the layer's values
 * @param relRms    ||low - fp64||_2 / ||fp64||_2
 * @param overflows values finite in fp64 that became infinite
 * @param flushes   values nonzero in fp64 that the format itself rounds to zero (underflow). A value that
 *                  only reaches zero because rounded inputs cancelled (a + b with a = -b after rounding) is
 *                  drift, not a flush, and is counted in the errors instead.
 * @param nans      values finite in fp64 that became NaN (an infinity met another one downstream). Like
 *                  overflows they are counted, not added to the errors: one NaN would make both errors NaN
 *                  and hide how far every other value moved. Positions where fp64 itself is not finite have
 *                  no reference to compare with and are skipped.
 */
public record DriftRow(String precision, String layer, double maxAbs, double relRms,
        long overflows, long flushes, long nans) {

    public static final String CSV_HEADER = "precision,layer,max_abs_err,rel_rms_err,overflows,flushes_to_zero,nans";

    public static DriftRow compare(String precision, String layer, double[] ref, double[] low,
                                   java.util.function.DoubleUnaryOperator round) {
        double maxAbs = 0, diff = 0, norm = 0;
        long overflows = 0, flushes = 0, nans = 0;
        for (int i = 0; i < ref.length; i++) {
            if (!Double.isFinite(ref[i])) continue;
            if (Double.isInfinite(low[i])) { overflows++; continue; }
            if (Double.isNaN(low[i])) { nans++; continue; }
            if (ref[i] != 0 && round.applyAsDouble(ref[i]) == 0) flushes++;
            double d = low[i] - ref[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
            diff += d * d;
            norm += ref[i] * ref[i];
        }
        return new DriftRow(precision, layer, maxAbs, norm == 0 ? 0 : Math.sqrt(diff / norm), overflows, flushes, nans);
    }

    public String csv() {
        return precision + "," + layer + "," + maxAbs + "," + relRms + "," + overflows + "," + flushes + "," + nans;
    }
}
