package minitrain.plot;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import minitrain.Json;
import minitrain.checkpoint.PublishedModel;
import minitrain.ngram.Baseline;
import minitrain.precision.DriftRow;
import minitrain.precision.HalfFloats;
import minitrain.train.MetricsLog;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.Table;

/**
 * Every chart the kit draws, rendered in the kit's style, must have readable axes: no two tick labels on one
 * axis overlap (boxes measured with the chart's font), a linear axis carries at most Style.MAX_LABELS labels at
 * a round 1-2-5 step with integers written as integers, and a log axis labels powers of ten only. The library's
 * charts are drawn from the committed run and drift files; the notebooks' charts are rebuilt here with the
 * same sizes, series and data ranges (the notebook cell is named beside each).
 */
class ChartStyleTest {

    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /** What a reader needs from one axis; the failures, one line each, empty when the axis reads well. */
    static List<String> problems(Chart<?, ?> chart, boolean x) {
        DrawnTicks.paint(chart);
        return problemsAsPainted(chart, x);
    }

    static List<String> problemsAsPainted(Chart<?, ?> chart, boolean x) {
        List<DrawnTicks.Label> labels = DrawnTicks.of(chart, x);
        String axis = (x ? "x" : "y") + " axis of '" + chart.getTitle() + "'";
        List<String> found = new ArrayList<>();
        for (String pair : DrawnTicks.overlaps(labels)) found.add(axis + ": labels overlap: " + pair);
        AxesChartStyler s = (AxesChartStyler) chart.getStyler();
        boolean log = x ? s.isXAxisLogarithmic() : s.isYAxisLogarithmic();
        var formatter = x ? s.getxAxisTickLabelsFormattingFunction() : s.getyAxisTickLabelsFormattingFunction();
        // A formatter of the chart's own writes text Style does not control: overlap is what can be checked.
        if (formatter != null && formatter.getClass().getEnclosingClass() != Style.class) return found;
        List<Double> values = new ArrayList<>();
        for (DrawnTicks.Label l : labels) {
            try {
                values.add(Double.parseDouble(l.text().replace(",", "")));
            } catch (NumberFormatException e) {
                return found; // category names: overlap is all there is to check
            }
        }
        if (labels.size() > Style.MAX_LABELS && !log) found.add(axis + ": " + labels.size() + " labels");
        if (log) {
            for (double v : values) {
                if (Math.abs(Math.log10(v) - Math.rint(Math.log10(v))) > 1e-9) {
                    found.add(axis + ": a log label off a power of ten: " + v);
                }
            }
            return found;
        }
        values.sort(Double::compare);
        for (int i = 2; i < values.size(); i++) {
            double step = values.get(1) - values.get(0), gap = values.get(i) - values.get(i - 1);
            if (Math.abs(gap - step) > 1e-6 * Math.abs(step)) found.add(axis + ": uneven steps " + values);
        }
        if (values.size() >= 2) {
            double step = values.get(1) - values.get(0);
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9)); // 0.0999... is 1e-1
            if (!List.of(1.0, 2.0, 5.0).contains((double) Math.round(mantissa * 1e6) / 1e6)) {
                found.add(axis + ": step " + step + " is not 1, 2 or 5 times a power of ten: " + values);
            }
            boolean integers = step >= 1 && values.stream().allMatch(v -> v == Math.rint(v));
            for (DrawnTicks.Label l : labels) {
                if (integers && (l.text().contains(".") || l.text().contains(","))) {
                    found.add(axis + ": integer step labelled '" + l.text() + "'");
                }
            }
        }
        return found;
    }

    static List<String> problems(Chart<?, ?> chart) {
        DrawnTicks.paint(chart);
        List<String> found = new ArrayList<>(problemsAsPainted(chart, true));
        found.addAll(problemsAsPainted(chart, false));
        return found;
    }

    // ---- the charts the kit draws ----

    /** The committed phase run's metrics: the run folder the published model's manifest names. */
    static Table metrics() {
        Path model = PublishedModel.latest(REPO.resolve("models"));
        try {
            String manifest = Files.readString(PublishedModel.manifestFor(model));
            String runDir = Json.MAPPER.readTree(manifest).path("run_dir").asText();
            return MetricsLog.read(REPO.resolve(runDir).resolve("metrics.csv"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<DriftRow> driftRows() throws IOException {
        List<DriftRow> rows = new ArrayList<>();
        for (String line : Files.readAllLines(REPO.resolve("experiments/18-mp-drift/drift.csv")).subList(1, 73)) {
            String[] f = line.split(",");
            rows.add(new DriftRow(f[0], f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6])));
        }
        return rows;
    }

    static XYChart xy(String title, int w, int h) {
        return new XYChartBuilder().width(w).height(h).title(title).xAxisTitle("x").yAxisTitle("y").build();
    }

    static double[] map(double[] a, java.util.function.DoubleUnaryOperator f) {
        return java.util.Arrays.stream(a).map(f).toArray();
    }

    static double[] range(double from, double step, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = from + step * i;
        return a;
    }

    /** The notebooks' charts, rebuilt with their sizes and data ranges. */
    static Map<String, Chart<?, ?>> notebookCharts() {
        Map<String, Chart<?, ?>> charts = new LinkedHashMap<>();
        // theory 00, "Reading a loss as a perplexity": log y.
        XYChart ppl = xy("theory 00 perplexity", 640, 380);
        ppl.getStyler().setYAxisLogarithmic(true);
        double[] nll = range(0, 4.5 / 99, 100);
        ppl.addSeries("exp(NLL)", nll, map(nll, Math::exp)).setMarker(SeriesMarkers.NONE);
        ppl.addSeries("uniform", new double[] {0, 4.5}, new double[] {38, 38}).setMarker(SeriesMarkers.NONE);
        charts.put("theory 00 perplexity", ppl);
        // theory 00, "Overfit one batch": 100 steps from ln 38 down to the batch's floor.
        XYChart overfit = xy("theory 00 overfit", 640, 360);
        double[] s100 = range(0, 1, 100);
        overfit.addSeries("loss", s100, map(s100, v -> 0.1 + 3.56 * Math.exp(-v / 15)));
        overfit.addSeries("floor of this batch", new double[] {0, 99}, new double[] {0.1002, 0.1002});
        charts.put("theory 00 overfit", overfit);
        // theory 01, masked against unmasked loss over batch widths 17..65.
        XYChart widths = xy("theory 01 padding", 760, 380);
        double[] w = range(17, 4, 13);
        widths.addSeries("masked", w, map(w, v -> 3.6412));
        widths.addSeries("unmasked", w, map(w, v -> 3.6412 + 0.004 * (v - 17) / 48));
        charts.put("theory 01 padding", widths);
        // theory 02, the toy weight and the learning rate.
        XYChart toy = xy("theory 02 toy", 760, 400);
        double[] steps = range(1, 1, 300);
        toy.addSeries("Adam + L2", steps, map(steps, t -> Math.max(0, 1 - 0.01 * t)));
        toy.addSeries("AdamW", steps, map(steps, t -> Math.pow(1 - 1e-4, t)));
        charts.put("theory 02 toy", toy);
        XYChart lr = xy("theory 02 learning rate", 760, 380);
        Table m = metrics();
        lr.addSeries("warmup + cosine", m.numberColumn("step").asDoubleArray(), m.numberColumn("lr").asDoubleArray());
        charts.put("theory 02 learning rate", lr);
        // theory 02, the gradient norm of the shipped run against the clip threshold.
        XYChart norm = xy("theory 02 gradient norm", 760, 380);
        norm.addSeries("grad_norm", m.numberColumn("step").asDoubleArray(),
                m.numberColumn("grad_norm").asDoubleArray());
        norm.addSeries("clip", new double[] {0, 1999}, new double[] {1, 1});
        charts.put("theory 02 gradient norm", norm);
        // theory 03, rounding error in powers of ten on both axes, and the running sums.
        XYChart sweep = xy("theory 03 rounding error", 780, 420);
        double[] e = range(-10, 15.0 / 600, 601);
        sweep.addSeries("fp16", e, map(e, v -> {
            double x = 1.2345 * Math.pow(10, v);
            return Math.max(-12, Math.min(1, Math.log10(Math.abs(HalfFloats.roundFp16(x) / x - 1) + 1e-300)));
        }));
        sweep.setCustomXAxisTickLabelsFormatter(v -> "1e" + Math.round(v));
        sweep.setCustomYAxisTickLabelsFormatter(v -> "1e" + Math.round(v));
        charts.put("theory 03 rounding error", sweep);
        XYChart acc = xy("theory 03 accumulation", 780, 380);
        double[] k = range(1, 1, 10_000);
        acc.addSeries("exact", k, map(k, v -> 0.1 * v));
        acc.addSeries("fp16", k, map(k, v -> Math.min(0.1 * v, 256)));
        charts.put("theory 03 accumulation", acc);
        // lab 01, "what breaks": train loss of the first 150 steps.
        XYChart cmp = xy("lab 01 what breaks", 820, 380);
        double[] s150 = range(0, 1, 150);
        cmp.addSeries("all lines", s150, map(s150, v -> 3.7 * Math.exp(-v / 60) + 0.8));
        charts.put("lab 01 what breaks", cmp);
        return charts;
    }

    @Test
    void everyChartTheKitDrawsReadsWell() throws IOException {
        Map<String, Chart<?, ?>> charts = new LinkedHashMap<>();
        Table m = metrics();
        charts.put("LossChart.of", LossChart.of(m, Baseline.read(REPO.resolve("experiments/14-ngram/baseline.json"))));
        charts.put("LossChart.learningRate", LossChart.learningRate(m));
        charts.put("DriftChart.of", DriftChart.of(driftRows()));
        for (int t = 1; t <= 64; t++) {
            boolean[][] mask = new boolean[t][t];
            for (int i = 0; i < t; i++) for (int j = 0; j <= i; j++) mask[i][j] = j < Math.max(1, t - 3) || j == i;
            charts.put("MaskChart.of T=" + t, MaskChart.of(mask, "mask of " + t));
        }
        charts.putAll(notebookCharts());
        List<String> found = new ArrayList<>();
        for (Map.Entry<String, Chart<?, ?>> c : charts.entrySet()) {
            for (String p : problems(Style.apply(c.getValue()))) found.add(c.getKey() + ": " + p);
        }
        assertEquals(List.of(), found);
    }

    @Test
    void theCheckFailsOnTheOldCharts() {
        // XChart's own choices, as the kit drew them before Style: the accumulation chart's x labels run into
        // each other, the loss chart ticks every 143 steps, and a heat map labels every one of its positions.
        XYChart acc = (XYChart) notebookCharts().get("theory 03 accumulation");
        List<String> accProblems = problems(acc, true);
        assertTrue(accProblems.stream().anyMatch(p -> p.contains("overlap")), accProblems.toString());
        XYChart loss = xy("old loss", 820, 420);
        Table m = metrics();
        loss.addSeries("train", m.numberColumn("step").asDoubleArray(), m.numberColumn("train_loss").asDoubleArray());
        List<String> lossProblems = problems(loss, true);
        assertTrue(lossProblems.stream().anyMatch(p -> p.contains("not 1, 2 or 5")), lossProblems.toString());
        HeatMapChart heat = new HeatMapChartBuilder().width(520).height(460).title("old mask").build();
        List<Integer> positions = new ArrayList<>();
        List<Number[]> cells = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            positions.add(i);
            for (int j = 0; j < 40; j++) cells.add(new Number[] {j, i, j <= i ? 1 : 0});
        }
        heat.addSeries("mask", positions, positions, cells);
        List<String> heatProblems = problems(heat, true);
        assertTrue(heatProblems.stream().anyMatch(p -> p.contains("overlap")), heatProblems.toString());
        // And the same charts in the kit's style pass.
        assertEquals(List.of(), problems(Style.apply(acc)));
        assertEquals(List.of(), problems(Style.apply(loss)));
    }

    @Test
    void anyRangeGetsReadableLinearAxes() {
        // Ranges from 1e-5 to 1e7 wide, offset or not, equally spaced x (the case XChart labels every k-th
        // point) or not, on chart sizes the kit uses.
        Random random = new Random(Long.getLong("seed", 18));
        List<String> found = new ArrayList<>();
        for (int c = 0; c < Integer.getInteger("cases", 80); c++) {
            int w = 400 + random.nextInt(600), h = 250 + random.nextInt(350), n = 2 + random.nextInt(2000);
            double span = Math.pow(10, -5 + 12 * random.nextDouble());
            double offset = random.nextBoolean() ? 0 : span * (random.nextDouble() * 20 - 10);
            boolean integerSteps = random.nextBoolean();
            double[] x = new double[n], y = new double[n];
            double walk = 0;
            for (int i = 0; i < n; i++) {
                x[i] = integerSteps ? i : offset + span * i / (n - 1);
                walk += random.nextGaussian();
                y[i] = offset + span * walk / Math.sqrt(n);
            }
            XYChart chart = xy("case " + c + " (" + w + "x" + h + ", n " + n + ", span " + span + ")", w, h);
            chart.addSeries("series", x, y).setMarker(SeriesMarkers.NONE);
            if (random.nextBoolean()) {
                chart.addSeries("a rather long legend entry", new double[] {x[0], x[n - 1]}, new double[] {y[0], y[0]});
            }
            found.addAll(problems(Style.apply(chart)));
        }
        assertEquals(List.of(), found);
    }

    @Test
    void applyingTwiceChangesNothingAndKeepsTheChartsOwnBounds() {
        XYChart chart = LossChart.of(metrics(), Baseline.read(REPO.resolve("experiments/14-ngram/baseline.json")));
        AxesChartStyler s = chart.getStyler();
        Double xMax = s.getXAxisMax();
        Style.apply(chart);
        Style.apply(chart);
        assertEquals(xMax, s.getXAxisMax());
        assertEquals(0.0, s.getYAxisMin());
        assertEquals(2.0, s.getYAxisMax(), "LossChart caps the y axis at 2; the style keeps the cap");
        assertEquals(2000.0, s.getXAxisMax(), 1e-3, "steps 0..1999 widen to the round 2000");
    }

    @Test
    void labelsWriteIntegersAsIntegers() {
        assertEquals("2000", Style.label(2000, 2000));
        assertEquals("0.05", Style.label(0.05000000001, 0.3));
        assertEquals("3.56", Style.label(3.5600000001, 0.2));
        assertEquals("2e-5", Style.label(2e-5, 1e-4));
        assertEquals("1500000", Style.label(1.5e6, 1e7));
        assertEquals("2.5e9", Style.label(2.5e9, 1e10));
        assertEquals(List.of("0", " ", "2", " ", "4"), Style.roundLabels(15).subList(0, 5));
        assertEquals("0123456789".chars().mapToObj(ch -> String.valueOf((char) ch)).toList(), Style.roundLabels(10));
    }
}
