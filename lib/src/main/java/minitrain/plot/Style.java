package minitrain.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.font.FontRenderContext;
import java.awt.font.TextLayout;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;

/**
 * The one look of every chart the kit draws. {@link Charts#png} and {@link Charts#save} apply it, so a chart
 * built in a notebook gets it too. What it guarantees on an axis:
 * <ul>
 * <li>linear: ticks at a round step (1, 2 or 5 times a power of ten) chosen from the data range, at most
 * {@link #MAX_LABELS} labels, ends widened to a round value unless the chart fixed them, integers written as
 * integers ("2000", not "2,000" or "2000.0"), very large or small values as "2e-5";</li>
 * <li>logarithmic: a label at each power of ten only, and no grid lines when the axis spans so many decades
 * that the minor lines would grey out the data.</li>
 * </ul>
 * Applying it twice changes nothing; a bound or a label formatter the chart set itself is kept.
 */
public final class Style {

    /** Most labels on one axis; more and they crowd, whatever the font. */
    public static final int MAX_LABELS = 10;

    /** A log axis spanning more decades than this draws no grid: nine minor lines a decade become a grey wash. */
    static final int MAX_GRIDDED_DECADES = 6;

    private Style() {}

    public static <C extends Chart<?, ?>> C apply(C chart) {
        AxesChartStyler s = (AxesChartStyler) chart.getStyler();
        // Solid, light grid lines: XChart's dashed ones turn into a texture when they are dense.
        s.setPlotGridLinesStroke(new BasicStroke(0.6f));
        s.setPlotGridLinesColor(new Color(0xDDDDDD));
        s.setXAxisLogarithmicDecadeOnly(true);
        s.setYAxisLogarithmicDecadeOnly(true);
        if (chart instanceof XYChart xy) {
            List<double[]> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (XYSeries series : xy.getSeriesMap().values()) {
                xs.add(series.getXData());
                ys.add(series.getYData());
            }
            if (s.isXAxisLogarithmic()) logAxis(s, true, xs);
            else linearAxis(xy, s, true, xs);
            if (s.isYAxisLogarithmic()) logAxis(s, false, ys);
            else linearAxis(xy, s, false, ys);
            fitStepsToPlot(xy, s);
        } else if (chart instanceof CategoryChart category && category.getStyler().isYAxisLogarithmic()) {
            List<double[]> ys = new ArrayList<>();
            category.getSeriesMap().values().forEach(series -> ys.add(series.getYData().stream()
                    .mapToDouble(Number::doubleValue).toArray()));
            logAxis(s, false, ys);
        }
        // Heat maps label every category: MaskChart passes labels already thinned by roundLabels.
        return chart;
    }

    /**
     * Labels for n categories 0..n-1 (a heat map's positions): the index at every round step and a blank
     * elsewhere (XChart refuses an empty label), so at most {@link #MAX_LABELS} show.
     */
    public static List<String> roundLabels(int n) {
        double step = Math.max(1, niceStep((double) n / MAX_LABELS));
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) labels.add(i % (long) step == 0 ? Integer.toString(i) : " ");
        return labels;
    }

    /** A tick value as text: integers as integers, others with the digits the axis's span needs. */
    public static String label(double value, double span) {
        if (value == 0 || !Double.isFinite(value)) return value == 0 ? "0" : Double.toString(value);
        // Ticks sit at least span / MAX_LABELS apart, so four digits below the span's magnitude is exact;
        // it also removes XChart's float residue (3.5600000001).
        int quantum = (int) Math.floor(Math.log10(span)) - 4;
        BigDecimal b = new BigDecimal(value).setScale(-quantum, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (b.signum() == 0) return "0";
        double a = Math.abs(value);
        boolean integer = b.scale() <= 0;
        if (integer ? a >= 1e9 : a >= 1e6 || a < 1e-4) {
            int exponent = b.precision() - b.scale() - 1;
            return b.movePointLeft(exponent).stripTrailingZeros().toPlainString() + "e" + exponent;
        }
        return b.toPlainString();
    }

    /** The smallest step of the form 1, 2 or 5 times a power of ten that is at least {@code atLeast}. */
    static double niceStep(double atLeast) {
        double power = Math.pow(10, Math.floor(Math.log10(atLeast)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * power >= atLeast * (1 - 1e-12)) return m * power;
        return 10 * power;
    }

    /**
     * The formatter Style installs. It remembers the bounds the chart had fixed itself and the ones Style set,
     * so a second apply (after more series were added, say) tells the two apart.
     */
    private record Labels(double span, Double chartMin, Double chartMax, double setMin, double setMax)
            implements Function<Double, String> {
        @Override public String apply(Double value) {
            return label(value, span);
        }
    }

    private static void linearAxis(XYChart chart, AxesChartStyler s, boolean x, List<double[]> data) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] d : data) {
            for (double v : d) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        }
        Function<Double, String> formatter =
                x ? s.getxAxisTickLabelsFormattingFunction() : s.getyAxisTickLabelsFormattingFunction();
        Labels ours = formatter instanceof Labels l ? l : null;
        Double min = x ? s.getXAxisMin() : s.getYAxisMin(), max = x ? s.getXAxisMax() : s.getYAxisMax();
        // A bound the chart set (before Style, or since Style last ran) is kept as it is.
        Double chartMin = ours == null || (min != null && min != ours.setMin()) ? min : ours.chartMin();
        Double chartMax = ours == null || (max != null && max != ours.setMax()) ? max : ours.chartMax();
        if (chartMin != null) lo = chartMin;
        if (chartMax != null) hi = chartMax;
        if (!(hi > lo)) return; // no data, or one value: XChart draws a single label in the middle
        // Widen free ends to a round value (1999 -> 2000), so the axis starts and ends on a label.
        double unit = niceStep((hi - lo) / MAX_LABELS);
        if (chartMin == null) lo = Math.floor(lo / unit) * unit;
        if (chartMax == null) hi = Math.ceil(hi / unit) * unit;
        double top = hi + nudge(data, lo, hi);
        // XChart turns a step hint in pixels into a 1-2-5 step, rounding the step by up to 1.75x down: a hint
        // of 0.18 of the chart's size keeps the labels at most 0.92 / 0.18 * 1.75 < 9 steps apart, 10 labels.
        int hint = (int) Math.ceil(0.18 * (x ? chart.getWidth() : chart.getHeight()));
        Labels labels = new Labels(hi - lo, chartMin, chartMax, lo, top);
        if (x) {
            s.setXAxisMin(lo).setXAxisMax(top).setXAxisTickMarkSpacingHint(hint);
            if (ours != null || formatter == null) s.setxAxisTickLabelsFormattingFunction(labels);
        } else {
            s.setYAxisMin(lo).setYAxisMax(top).setYAxisTickMarkSpacingHint(hint);
            if (ours != null || formatter == null) s.setyAxisTickLabelsFormattingFunction(labels);
        }
    }

    /**
     * The first hint comes from the chart's size, an upper bound of the plot's; a legend beside the plot can
     * take a third of it, and the labels then come out sparse (three on an axis). One layout gives the plot's
     * real size in pixels, and the hint is set again from it: 0.2 of the axis keeps between about 4 and 9 steps.
     */
    private static void fitStepsToPlot(XYChart chart, AxesChartStyler s) {
        boolean linearX = !s.isXAxisLogarithmic() && s.getXAxisMin() != null && s.getXAxisMax() != null;
        boolean linearY = !s.isYAxisLogarithmic() && s.getYAxisMin() != null && s.getYAxisMax() != null;
        if (!linearX && !linearY) return;
        BitmapEncoder.getBufferedImage(chart); // lays the chart out
        if (linearX) {
            double pixels = Math.abs(chart.getScreenXFromChart(s.getXAxisMax())
                    - chart.getScreenXFromChart(s.getXAxisMin()));
            // XChart accepts labels 10% of their width apart, which reads as one number ("10001200"); a hint of
            // twice the widest label keeps a gap of at least a character between them.
            int hint = (int) Math.ceil(Math.max(0.2 * pixels, 2 * widestLabel(s) + 6));
            if (pixels > 0) s.setXAxisTickMarkSpacingHint(hint);
        }
        if (linearY) {
            double pixels = Math.abs(chart.getScreenYFromChart(s.getYAxisMax())
                    - chart.getScreenYFromChart(s.getYAxisMin()));
            if (pixels > 0) s.setYAxisTickMarkSpacingHint((int) Math.ceil(0.2 * pixels));
        }
    }

    /** The widest x label the axis can show, at the round positions between its ends, in the tick font. */
    private static double widestLabel(AxesChartStyler s) {
        double lo = s.getXAxisMin(), hi = s.getXAxisMax(), span = hi - lo, unit = niceStep(span / MAX_LABELS);
        Function<Double, String> format = s.getxAxisTickLabelsFormattingFunction();
        FontRenderContext frc = new FontRenderContext(null, true, false);
        double widest = 0;
        for (double v = Math.ceil(lo / unit) * unit; v <= hi; v += unit) {
            String text = format != null ? format.apply(v) : label(v, span);
            if (text != null && !text.isEmpty()) {
                widest = Math.max(widest, new TextLayout(text, s.getAxisTickLabelsFont(), frc).getBounds().getWidth());
            }
        }
        return widest;
    }

    /**
     * XChart labels an axis whose values are equally spaced (steps 0, 1, ..., 1999) at every k-th value, the
     * smallest k whose labels fit: 0, 143, 286... It tests [min, the distinct values in series order, max]
     * for gaps equal to the first one within 1e-4 (absolute, so the values of a small-range axis all pass).
     * Raising max by a hair that breaks the pattern sends XChart to its round steps instead.
     */
    static double nudge(List<double[]> data, double lo, double hi) {
        double span = hi - lo;
        for (double candidate : new double[] {0, 1e-9 * span, 2e-4, span / 50, span / 20}) {
            if (!xchartSeesEquallySpaced(data, lo, hi + candidate)) return candidate;
        }
        return span / 20;
    }

    /** The test XChart 3.8 runs (AxisTickCalculator_.areValuesEquallySpaced) on what it is given. */
    static boolean xchartSeesEquallySpaced(List<double[]> data, double min, double max) {
        LinkedHashSet<Double> distinct = new LinkedHashSet<>();
        distinct.add(min);
        for (double[] d : data) for (double v : d) distinct.add(v);
        distinct.add(max);
        List<Double> v = new ArrayList<>(distinct);
        if (v.size() < 2 || Math.abs(max - min) < 1e-4) return false;
        double spacing = v.get(1) - v.get(0);
        for (int i = 1; i < v.size(); i++) if (Math.abs(v.get(i) - v.get(i - 1) - spacing) >= 1e-4) return false;
        return true;
    }

    private static void logAxis(AxesChartStyler s, boolean x, List<double[]> data) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double[] d : data) {
            for (double v : d) if (v > 0 && Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        }
        Double min = x ? s.getXAxisMin() : s.getYAxisMin(), max = x ? s.getXAxisMax() : s.getYAxisMax();
        if (min != null && min > 0) lo = min;
        if (max != null) hi = max;
        double decades = hi > lo ? Math.log10(hi) - Math.log10(lo) : 0;
        boolean grid = decades <= MAX_GRIDDED_DECADES;
        if (x) s.setPlotGridVerticalLinesVisible(grid);
        else s.setPlotGridHorizontalLinesVisible(grid);
    }
}
