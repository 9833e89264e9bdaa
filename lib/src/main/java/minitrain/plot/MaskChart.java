package minitrain.plot;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** The attention mask of one batch row as a heat map: query positions down, key positions across. */
public final class MaskChart {

    private MaskChart() {}

    public static HeatMapChart of(boolean[][] mask, String title) {
        int t = mask.length;
        int[] axis = new int[t];
        for (int i = 0; i < t; i++) axis[i] = i;
        int[][] cells = new int[t * t][];
        int k = 0;
        for (int i = 0; i < t; i++) for (int j = 0; j < t; j++) cells[k++] = new int[] {j, i, mask[i][j] ? 1 : 0};
        HeatMapChart chart = new HeatMapChartBuilder().width(520).height(460).title(title)
                .xAxisTitle("key position j").yAxisTitle("query position i").build();
        chart.getStyler().setRangeColors(new java.awt.Color[] {new java.awt.Color(235, 235, 235), new java.awt.Color(33, 102, 172)});
        chart.getStyler().setShowValue(false);
        java.util.List<Number[]> data = new java.util.ArrayList<>();
        for (int[] c : cells) data.add(new Number[] {c[0], c[1], c[2]});
        java.util.List<Integer> xs = new java.util.ArrayList<>(), ys = new java.util.ArrayList<>();
        for (int a : axis) { xs.add(a); ys.add(a); }
        chart.addSeries("may attend (1) / hidden (0)", xs, ys, data);
        return chart;
    }
}
