package minitrain.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import minitrain.precision.Drift;
import minitrain.precision.DriftRow;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;

/** Relative RMS error per layer (in forward order), one line per format and precision model, on a log scale. */
public final class DriftChart {

    private DriftChart() {}

    public static CategoryChart of(List<DriftRow> rows) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                .title("Forward-pass drift from fp64, per layer").xAxisTitle("layer (in forward order)")
                .yAxisTitle("relative RMS error (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        // Lines, not bars: a bar starts at zero, which a log axis cannot draw.
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(45);
        // Both series at the same x positions (XChart offsets category series side by side otherwise).
        chart.getStyler().setOverlapped(true);
        double lo = Double.MAX_VALUE, hi = 0;
        for (String precision : rows.stream().map(DriftRow::precision).distinct().toList()) {
            List<String> layers = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            for (DriftRow r : rows) {
                if (!r.precision().equals(precision)) continue;
                layers.add(r.layer());
                errors.add(Math.max(r.relRms(), 1e-18)); // a log axis cannot show an exact zero
                lo = Math.min(lo, errors.get(errors.size() - 1));
                hi = Math.max(hi, errors.get(errors.size() - 1));
            }
            CategorySeries s = chart.addSeries(precision, layers, errors);
            // Dashed: the every-operation model, drawn over the boundary model of the same format; dash-dot: the
            // products computed in the format too.
            if (precision.endsWith(Drift.EVERY_OP)) s.setLineStyle(SeriesLines.DASH_DASH);
            if (precision.endsWith(Drift.ARITH)) s.setLineStyle(SeriesLines.DASH_DOT);
            // One colour per format.
            Color color = precision.startsWith("fp16") ? new Color(0x1f77b4) : new Color(0xff7f0e);
            s.setLineColor(color);
            s.setMarkerColor(color);
        }
        if (hi > 0) {
            // Whole decades at both ends, so the log axis labels at least two powers of ten.
            chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(lo))));
            chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(hi))));
        }
        return Style.apply(chart);
    }
}
