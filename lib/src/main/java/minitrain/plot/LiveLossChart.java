package minitrain.plot;

import java.awt.image.BufferedImage;
import java.util.function.Consumer;
import minitrain.ngram.Baseline;
import minitrain.train.TrainingLoop;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * The loss chart of a run while it trains: a loop listener that collects each step and, every {@code every}
 * steps, at each dev evaluation and at the last step, hands a fresh picture to {@code show} (in a notebook,
 * JJava's {@code updateDisplay}, so one chart grows in place). It draws what {@link LossChart} draws from
 * metrics.csv, with the time left in its title.
 */
public final class LiveLossChart implements TrainingLoop.Listener {

    private final Baseline baseline;
    private final int lastStep, every;
    private final Consumer<BufferedImage> show;
    private final IntColumn steps = IntColumn.create("step");
    private final DoubleColumn train = DoubleColumn.create("train_loss"), dev = DoubleColumn.create("dev_loss");
    private final long start = System.nanoTime();
    private int firstStep = -1;

    public LiveLossChart(Baseline baseline, int maxSteps, int every, Consumer<BufferedImage> show) {
        this.baseline = baseline;
        this.lastStep = maxSteps - 1;
        this.every = every;
        this.show = show;
    }

    @Override
    public void step(int step, double lr, double trainLoss, Double devLoss, double gradNorm, double tokensPerS) {
        if (firstStep < 0) firstStep = step;
        steps.append(step);
        train.append(trainLoss);
        if (devLoss == null) dev.appendMissing();
        else dev.append(devLoss);
        if (step % every == 0 || devLoss != null || step == lastStep) show.accept(Charts.png(chart()));
    }

    /** The chart as it stands: every step so far, the baseline and the target, the time left in the title. */
    public XYChart chart() {
        XYChart chart = LossChart.of(Table.create("live", steps, train, dev), baseline);
        int done = steps.size(), left = lastStep - (firstStep + done - 1);
        double seconds = (System.nanoTime() - start) / 1e9;
        String eta = done == 0 ? "" : left == 0 ? String.format(" (done in %.0f s)", seconds)
                : String.format(" (step %d of 0..%d, about %.0f s left)", firstStep + done - 1, lastStep,
                        seconds / done * left);
        chart.setTitle(chart.getTitle() + eta);
        return chart;
    }
}
