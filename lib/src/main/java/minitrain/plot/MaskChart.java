package minitrain.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** The attention mask of one batch row as a heat map: query positions down, key positions across. */
public final class MaskChart {

    private MaskChart() {}

    public static HeatMapChart of(boolean[][] mask, String title) {
        int t = mask.length;
        HeatMapChart chart = new HeatMapChartBuilder().width(520).height(460).title(title)
                .xAxisTitle("key position j").yAxisTitle("query position i").build();
        chart.getStyler().setRangeColors(new Color[] {new Color(235, 235, 235), new Color(33, 102, 172)});
        chart.getStyler().setShowValue(false);
        // A cell is (key j, query i, 1 if i may attend to j); j and i index the label lists below.
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) cells.add(new Number[] {j, i, mask[i][j] ? 1 : 0});
        // XChart labels every heat-map column; past ten positions the numbers run together, so only round
        // positions carry one (the others get a blank one).
        List<String> positions = Style.roundLabels(t);
        chart.addSeries("may attend (1) / hidden (0)", positions, positions, cells);
        return Style.apply(chart);
    }
}
