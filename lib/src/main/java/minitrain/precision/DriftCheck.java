package minitrain.precision;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import minitrain.Exercise;

/**
 * Lab 03's checks: the learner's per-layer drift against {@link Drift#measure}'s rows, and where the learner says
 * a 16-bit format flushed or overflowed. The kit is deterministic, so the bar for the drift is equality of bits.
 * Like {@link Exercise#check}, the answer is one line that starts "correct: ", "not answered yet: " or
 * "not right yet: "; a wrong answer names the first layer that differs and the step most likely responsible.
 * Nothing here throws on a learner's answer.
 */
public final class DriftCheck {

    private DriftCheck() {}

    /**
     * Whether {@code mine} (layer to relative RMS error, in forward order) holds the relative RMS errors of
     * {@code rows}' rows of {@code precision}, layer for layer and bit for bit.
     */
    public static String perLayer(String name, Map<String, ? extends Number> mine, List<DriftRow> rows,
                                  String precision) {
        if (mine == null) return Exercise.notAnswered(name);
        List<DriftRow> want = rows.stream().filter(r -> r.precision().equals(precision)).toList();
        if (want.isEmpty()) return "not right yet: the reference has no rows of precision " + precision
                + ". Pass the rows of Drift.measure and \"fp16\" or \"bf16\".";
        List<String> layers = new ArrayList<>(mine.keySet());
        List<String> wantLayers = want.stream().map(DriftRow::layer).toList();
        if (!layers.equals(wantLayers)) {
            return "not right yet: " + name + " has the layers " + layers + ", the library " + wantLayers
                    + ". Record every boundary the probe sees, in the order it sees them (a LinkedHashMap keeps it).";
        }
        for (int i = 0; i < want.size(); i++) {
            DriftRow r = want.get(i);
            Number got = mine.get(r.layer());
            if (got == null) {
                return "not right yet: " + name + " has no number for " + r.layer()
                        + ". Is your relative RMS error answered (it returns null until it is)?";
            }
            double g = got.doubleValue();
            if (Double.doubleToRawLongBits(g) != Double.doubleToRawLongBits(r.relRms())) {
                return "not right yet: " + name + " differs first at " + r.layer() + ": " + g + " where Drift has "
                        + r.relRms() + ". " + hint(i, g, r.relRms());
            }
        }
        return "correct: " + name + " gives Drift's relative RMS error in " + precision + " for all " + want.size()
                + " layers (" + wantLayers.get(0) + " to " + wantLayers.get(want.size() - 1) + "), bit for bit";
    }

    /** The step most likely wrong, from where the first difference is and how large it is. */
    static String hint(int layer, double mine, double reference) {
        if (Math.abs(mine - reference) <= 1e-9 * Math.abs(reference)) {
            return "Equal to nine digits, not to the bit: compute Math.sqrt(sum of d * d / sum of exact * exact) "
                    + "with d = low - exact, both sums in one loop over the values in index order, as "
                    + "DriftRow.compare does (another order or two square roots rounds differently).";
        }
        if (layer == 0) {
            return "The embeddings read nothing but the weights wte and wpe: are all the weights rounded "
                    + "(Drift.round(model.stateDict(), round)), and is the reference run with the fp64 weights?";
        }
        if (mine < reference) {
            return "The embeddings agree, later layers drift less than they should: the probe must return the "
                    + "rounded array, so that the next layer reads the 16-bit values, not the fp64 ones.";
        }
        return "The embeddings agree and a later layer differs: compare each boundary with the fp64 run's same "
                + "boundary, and round only at the boundaries (no OpHook installed).";
    }

    /**
     * Where the format flushed values to zero and how many values overflowed: {@code layer} must be the layer
     * with the most flushes among {@code rows}' rows of {@code precision}, {@code overflows} their total.
     */
    public static String limits(String name, String layer, Number overflows, List<DriftRow> rows,
                                String precision) {
        if (layer == null || overflows == null) return Exercise.notAnswered(name);
        List<DriftRow> mine = rows.stream().filter(r -> r.precision().equals(precision)).toList();
        if (mine.isEmpty()) return "not right yet: the reference has no rows of precision " + precision + ".";
        DriftRow most = mine.get(0);
        long total = 0, flushes = 0;
        for (DriftRow r : mine) {
            if (r.flushes() > most.flushes()) most = r;
            total += r.overflows();
            flushes += r.flushes();
        }
        String where = "Filter result.rows() on precision \"" + precision + "\"";
        if (mine.stream().noneMatch(r -> r.layer().equals(layer))) {
            return "not right yet: " + name + ": there is no layer \"" + layer + "\" in the " + precision + " rows. "
                    + where + " and read the layer() of the row with the largest flushes().";
        }
        if (!layer.equals(most.layer())) {
            long at = mine.stream().filter(r -> r.layer().equals(layer)).mapToLong(DriftRow::flushes).sum();
            return "not right yet: " + name + ": " + layer + " flushes " + at + " values, another layer more. "
                    + where + " and keep the row with the largest flushes().";
        }
        if (overflows.longValue() != total || overflows.doubleValue() != total) {
            return "not right yet: " + name + ": " + overflows + " overflows. " + where
                    + " and add up overflows() over all its rows.";
        }
        return "correct: " + name + ": in " + precision + ", " + most.layer() + " flushes the most values to zero ("
                + most.flushes() + " of " + flushes + "), and " + total + " values overflow";
    }
}
