package minitrain.plot;

import java.util.ArrayList;
import java.util.List;
import minitrain.precision.DriftRow;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** Relative RMS error per layer (in forward order), fp16 against bf16, on a log scale. */
public final class DriftChart {

    private DriftChart() {}

    public static XYChart of(List<DriftRow> rows) {
        XYChart chart = new XYChartBuilder().width(900).height(480)
                .title("Forward-pass drift from fp64, per layer").xAxisTitle("layer (in forward order)")
                .yAxisTitle("relative RMS error (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(45);
        List<String> layers = new ArrayList<>();
        for (DriftRow r : rows) if (!layers.contains(r.layer())) layers.add(r.layer());
        chart.getStyler().setXAxisMin(-0.5);
        chart.getStyler().setXAxisMax(layers.size() - 0.5);
        chart.setCustomXAxisTickLabelsFormatter(x -> {
            int i = (int) Math.round(x);
            return Math.abs(x - i) < 1e-9 && i >= 0 && i < layers.size() ? layers.get(i) : "";
        });
        for (String precision : List.of("fp16", "bf16")) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (DriftRow r : rows) {
                if (!r.precision().equals(precision)) continue;
                xs.add((double) layers.indexOf(r.layer()));
                ys.add(Math.max(r.relRms(), 1e-18)); // a log axis cannot show an exact zero
            }
            if (!xs.isEmpty()) chart.addSeries(precision, xs, ys);
        }
        return chart;
    }
}
