package minitrain.plot;

import minitrain.ngram.Baseline;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.Table;

/**
 * The two charts of a training run, drawn from its metrics.csv (read with MetricsLog.read): the loss against
 * the n-gram baseline, and the learning rate. Lab 01 shows them; the phase report embeds the same files.
 */
public final class LossChart {

    private LossChart() {}

    /** Train loss (one batch per step, noisy), dev loss (whole split), the n-gram's val loss and the 20% target. */
    public static XYChart of(Table metrics, Baseline baseline) {
        XYChart chart = new XYChartBuilder().width(820).height(420)
                .title("MiniGPT: train and dev loss against the n-gram")
                .xAxisTitle("step").yAxisTitle("mean NLL (nats per token)").build();
        double[] step = metrics.numberColumn("step").asDoubleArray();
        chart.addSeries("train (one batch)", step, metrics.numberColumn("train_loss").asDoubleArray())
                .setMarker(SeriesMarkers.NONE);
        Table dev = metrics.where(metrics.numberColumn("dev_loss").isNotMissing());
        chart.addSeries("dev", dev.numberColumn("step").asDoubleArray(), dev.numberColumn("dev_loss").asDoubleArray());
        double last = step.length == 0 ? 1 : step[step.length - 1];
        horizontal(chart, "n-gram val", baseline.valNllPerToken(), last);
        // Perplexity 20% below the baseline's is a loss of ln(0.8 x ppl): the phase's target as a line.
        horizontal(chart, "20% target", Math.log(0.8 * baseline.valPpl()), last);
        // The first steps sit near ln(vocab) ~ 3.6; capping the axis keeps the interesting part readable, but
        // never below where the run is now (a short or failing run would otherwise draw nothing).
        double[] train = metrics.numberColumn("train_loss").asDoubleArray();
        double now = train.length == 0 ? 0 : train[train.length - 1];
        chart.getStyler().setYAxisMax(Math.max(2.0, Math.ceil(1.25 * now)));
        chart.getStyler().setYAxisMin(0.0);
        return Style.apply(chart);
    }

    public static XYChart learningRate(Table metrics) {
        XYChart chart = new XYChartBuilder().width(820).height(300).title("Learning rate: linear warmup, then cosine")
                .xAxisTitle("step").yAxisTitle("learning rate").build();
        chart.addSeries("lr", metrics.numberColumn("step").asDoubleArray(), metrics.numberColumn("lr").asDoubleArray())
                .setMarker(SeriesMarkers.NONE);
        return Style.apply(chart);
    }

    private static void horizontal(XYChart chart, String name, double y, double last) {
        chart.addSeries(name, new double[] {0, last}, new double[] {y, y}).setMarker(SeriesMarkers.NONE);
    }
}
