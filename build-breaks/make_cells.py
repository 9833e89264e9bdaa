"""Writes cells.json (the "What breaks if..." section of lab 01) and a scratch notebook that runs it alone."""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
cells = []


def md(text):
    cells.append({"cell_type": "markdown", "source": text.strip("\n")})


def code(text):
    cells.append({"cell_type": "code", "source": text.strip("\n")})


md(r'''
## 5. What breaks if...

Six lines of the loop, each taken out or changed in turn, on a model small enough to train in seconds: one block
of width 16, 40 steps (150 in the full run; `KIT_SMOKE` picks the short budget). Each experiment is judged on a
number that means the same thing in both runs: the dev loss, which is always the masked, per-real-token loss in
evaluation mode (`run.devLoss()`), or the train loss where both runs count the same targets.

`minitrain.train.WhatBreaks` holds the small configs and records each run as a `Curve` (train loss and gradient
norm per step, dev loss every `eval_every` steps and after the last step). Four of the experiments take a line out
with `Switches` and run through the library's own `TrainingLoop`; the other two need a step the loop does not
have, so `WhatBreaks` takes the loop's step itself with one line changed (`trainWithSpike`, `trainMeanOfMeans`:
read them). Each cell ends with one line of the numbers its paragraph talks about, and `WhatBreaksTest` runs the
same configs and fails if a direction stated here stops holding. The first cell trains the small model with every
line in place: the runs below are compared with it.
''')

code(r'''
// imports (for the lab's import cell): java.util.ArrayList, java.util.List, minitrain.Kit, minitrain.corpus.Corpus,
// minitrain.plot.Charts, minitrain.train.Batch, minitrain.train.Switches, minitrain.train.TrainConfig,
// minitrain.train.TrainingRun, minitrain.train.WhatBreaks, org.knowm.xchart.XYChart, org.knowm.xchart.XYChartBuilder,
// org.knowm.xchart.style.markers.SeriesMarkers
import java.util.ArrayList;
import java.util.List;
import minitrain.Kit;
import minitrain.corpus.Corpus;
import minitrain.plot.Charts;
import minitrain.train.Batch;
import minitrain.train.Switches;
import minitrain.train.TrainConfig;
import minitrain.train.TrainingRun;
import minitrain.train.WhatBreaks;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

boolean smoke = System.getenv("KIT_SMOKE") != null;
Corpus corpus = Corpus.load(Kit.root().resolve("corpus"));

// A chart over steps, a curve drawn as a line, and dev evaluations drawn as dots joined by a line.
XYChart stepChart(String title, String yTitle) {
    return new XYChartBuilder().width(820).height(380).title(title).xAxisTitle("step").yAxisTitle(yTitle).build();
}
void line(XYChart chart, String name, List<Double> x, List<Double> y) {
    chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
}
void dots(XYChart chart, String name, List<Double> x, List<Double> y) {
    chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
}
String devs(WhatBreaks.Curve c) {   // "3.645 at 0, 2.899 at 20, ..."
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < c.devSteps().size(); i++)
        s.append(i == 0 ? "" : ", ").append(String.format("%.3f at %d", c.devLoss().get(i), c.devSteps().get(i)));
    return s.toString();
}

TrainConfig small = WhatBreaks.smallConfig(smoke);
WhatBreaks.Curve real = WhatBreaks.train("all lines", TrainingRun.start(small, Switches.ALL_ON, corpus, null));
String.format("all lines, %d steps: dev loss %s", small.maxSteps(), devs(real))
''')

md(r'''
### No loss mask

`Switches.ALL_ON.withoutLossMask()` grades every target, `<pad>` after the end of each record too, and divides by
all of them. Predicting `<pad>` after `<pad>` is easy, so the train loss this run reports falls far below the real
loop's. Judged on the masked dev loss, the same protocol for both runs, the unmasked run is behind at the first
evaluation, when the pad targets still take a large share of every step; at the end the two dev losses are much
closer together than the two train losses (which of them ends lower depends on the budget: see the numbers).
What the missing mask breaks is the train loss as a measurement: it no longer means nats per real character, so
it cannot be set against the dev loss, or against a run whose batches pad differently.
''')

code(r'''
WhatBreaks.Curve noMask = WhatBreaks.train("no loss mask",
    TrainingRun.start(small, Switches.ALL_ON.withoutLossMask(), corpus, null));
XYChart maskChart = stepChart("No loss mask: the train loss drops, the masked dev loss does not follow",
    "loss (nats per counted target)");
line(maskChart, "train, all lines", real.x(), real.trainLoss());
line(maskChart, "train, no loss mask (pads counted)", noMask.x(), noMask.trainLoss());
dots(maskChart, "masked dev, all lines", real.devX(), real.devLoss());
dots(maskChart, "masked dev, no loss mask", noMask.devX(), noMask.devLoss());
display(Charts.png(maskChart));
int firstEval = real.devSteps().get(1);
String.format("no loss mask: train loss (mean of the last 10 steps) %.3f vs %.3f with the mask; "
    + "masked dev loss at step %d %.3f vs %.3f, after %d steps %.3f vs %.3f",
    noMask.lastTrainLoss(10), real.lastTrainLoss(10), firstEval, noMask.devAt(firstEval), real.devAt(firstEval),
    small.maxSteps(), noMask.finalDev(), real.finalDev())
''')

md(r'''
### No warmup

Warmup matters when the peak learning rate is high, so this experiment raises it to 0.2
(`WhatBreaks.warmupConfig`: reached over 20 steps with warmup, taken from step 0 without, no dropout). Adam's
first steps move every weight by about the learning rate whatever the gradient's size, so full-size steps from
random weights overshoot: without warmup the train loss climbs above its starting value within the first ten
steps, while the warmup run's only falls. The damage lasts: the dev loss at the end is clearly higher.
''')

code(r'''
TrainConfig highLr = WhatBreaks.warmupConfig(smoke);
WhatBreaks.Curve warm = WhatBreaks.train("warmup", TrainingRun.start(highLr, Switches.ALL_ON, corpus, null));
WhatBreaks.Curve cold = WhatBreaks.train("no warmup",
    TrainingRun.start(highLr, Switches.ALL_ON.withoutWarmup(), corpus, null));
XYChart warmChart = stepChart("Peak learning rate 0.2 with and without warmup", "train loss (nats per real target)");
line(warmChart, "warmup over " + highLr.warmupSteps() + " steps", warm.x(), warm.trainLoss());
line(warmChart, "no warmup", cold.x(), cold.trainLoss());
double start = warm.trainLoss().get(0);
line(warmChart, "starting loss", List.of(0.0, highLr.maxSteps() - 1.0), List.of(start, start));
display(Charts.png(warmChart));
String.format("no warmup: starting loss %.3f; highest train loss of steps 1-9 %.3f vs %.3f with warmup; "
    + "dev loss after %d steps %.3f vs %.3f",
    start, cold.maxTrainLoss(1, 9), warm.maxTrainLoss(1, 9), highLr.maxSteps(), cold.finalDev(), warm.finalDev())
''')

md(r'''
### No zero-grad

Backward adds into each parameter's gradient. `Switches.ALL_ON.withoutZeroGrad()` never clears it, so every step
follows the sum of all the gradients so far: the old batches keep steering, and the newest batch is only one voice
among many. The gradient norm the loop sees grows larger than the real loop's, and the masked dev loss is higher
at every evaluation after step 0.
''')

code(r'''
WhatBreaks.Curve noZeroGrad = WhatBreaks.train("no zero-grad",
    TrainingRun.start(small, Switches.ALL_ON.withoutZeroGrad(), corpus, null));
XYChart zeroChart = stepChart("No zero-grad: every step re-applies the earlier gradients",
    "loss (nats per real target)");
line(zeroChart, "train, all lines", real.x(), real.trainLoss());
line(zeroChart, "train, no zero-grad", noZeroGrad.x(), noZeroGrad.trainLoss());
dots(zeroChart, "dev, all lines", real.devX(), real.devLoss());
dots(zeroChart, "dev, no zero-grad", noZeroGrad.devX(), noZeroGrad.devLoss());
display(Charts.png(zeroChart));
String.format("no zero-grad: dev loss %s (all lines: %s); largest gradient norm %.2f vs %.2f",
    devs(noZeroGrad), devs(real), noZeroGrad.maxGradNorm(), real.maxGradNorm())
''')

md(r'''
### No clipping, and one huge gradient

Ordinary steps on this model have a gradient norm of about 1 or less (the largest is in the result line), and
Adam already bounds how far one step moves a weight, so a limit of 1.0 has little to do here. To see what it
protects against we make one spike on purpose: `WhatBreaks.trainWithSpike` is the loop's step with one change, at
step 20 every gradient is 100 times too large, as a corrupted batch or a wrong loss denominator would make it. With
clipping (`small` has `"grad_clip": 1.0`) that step is scaled back to an ordinary one, and the run ends almost
exactly where the run without a spike ends. Without clipping (`"grad_clip": 0`) Adam's moments remember the
spike: its direction keeps being followed for the next steps and the inflated second moment shrinks every later
update, so the train loss stays above the clipped run's and the dev loss ends clearly higher.
''')

code(r'''
int spikeStep = WhatBreaks.SPIKE_STEP;
double spikeFactor = WhatBreaks.SPIKE_FACTOR;   // 100
TrainingRun withClip = TrainingRun.start(small, Switches.ALL_ON, corpus, null);   // grad_clip 1.0
TrainingRun noClip = TrainingRun.start(small.with("grad_clip", 0.0), Switches.ALL_ON, corpus, null);
WhatBreaks.Curve clipped = WhatBreaks.trainWithSpike("spike, clipped", withClip, spikeStep, spikeFactor);
WhatBreaks.Curve unclipped = WhatBreaks.trainWithSpike("spike, not clipped", noClip, spikeStep, spikeFactor);
XYChart clipChart = stepChart("Gradients 100x too large at step " + spikeStep + ": with and without clipping",
    "train loss (nats per real target)");
line(clipChart, "no spike", real.x(), real.trainLoss());
line(clipChart, "spike, clipped at 1.0", clipped.x(), clipped.trainLoss());
line(clipChart, "spike, no clipping", unclipped.x(), unclipped.trainLoss());
display(Charts.png(clipChart));
String.format("no clipping: gradient norm at step %d %.1f (largest ordinary step %.2f); "
    + "dev loss after %d steps: no spike %.3f, spike clipped %.3f, spike not clipped %.3f",
    spikeStep, clipped.gradNorm().get(spikeStep), real.maxGradNorm(), small.maxSteps(),
    real.finalDev(), clipped.finalDev(), unclipped.finalDev())
''')

md(r'''
### Dev loss without evaluation mode

`Switches.ALL_ON.withoutEvalMode()` scores the dev split with dropout still on (`small` has `"dropout": 0.1`), so
each evaluation is made by a random part of the network. Training is untouched: the two runs' train losses are
equal to the bit, and only the dev numbers differ. At step 0 the weights are random and dropout changes almost
nothing (the two numbers differ by noise, in either direction); once the model has learned something, the dev loss
with dropout on is higher at every evaluation, by a different amount each time. A run judged this way looks worse
than it is, and its curve carries noise that is not the model's.
''')

code(r'''
WhatBreaks.Curve noEvalMode = WhatBreaks.train("no eval mode",
    TrainingRun.start(small, Switches.ALL_ON.withoutEvalMode(), corpus, null));
XYChart evalChart = stepChart("Dev loss in evaluation mode and with dropout on (dropout " + small.dropout() + ")",
    "dev loss (nats per real target)");
dots(evalChart, "evaluation mode", real.devX(), real.devLoss());
dots(evalChart, "dropout on", noEvalMode.devX(), noEvalMode.devLoss());
display(Charts.png(evalChart));
String.format("no eval mode: dev loss %s (evaluation mode: %s); train losses equal: %s",
    devs(noEvalMode), devs(real), noEvalMode.trainLoss().equals(real.trainLoss()))
''')

md(r'''
### Accumulation as a mean of per-micro-batch means

With `grad_accum` 2 the loop divides both micro-batches' losses by one denominator, the step's count of real
targets, so the step is the step of one batch holding all the records. A natural-looking alternative divides each
micro-batch by its own count (and by `grad_accum`): the mean of the two means. Records differ in length, so two
micro-batches hold different numbers of targets, and the mean of means gives each token of the smaller one more
weight. `WhatBreaks.trainMeanOfMeans` is the loop's step with only that line changed (read it).

Three runs see the same 8 records per step (`WhatBreaks.accumulationConfig`, no dropout): one batch of 8, the
loop's accumulation of 2 x 4, and the mean of means. The chart shows how far each accumulated run's weights are
from the one-batch run's after every step: the loop's stay at rounding error (its sums only run in another
order), the mean of means drifts further away. On this model the dev losses still end close: what changed is
what is being optimised, each record's weight in the loss, not whether training works.
''')

code(r'''
TrainConfig batchOf8 = WhatBreaks.accumulationConfig(smoke, 1), twoOf4 = WhatBreaks.accumulationConfig(smoke, 2);
// true: keep every weight after every step, to compare the runs step by step
WhatBreaks.Curve oneBatch = WhatBreaks.train("one batch of 8",
    TrainingRun.start(batchOf8, Switches.ALL_ON, corpus, null), true);
WhatBreaks.Curve oneDenominator = WhatBreaks.train("2 x 4, one denominator",
    TrainingRun.start(twoOf4, Switches.ALL_ON, corpus, null), true);
WhatBreaks.Curve meanOfMeans = WhatBreaks.trainMeanOfMeans("2 x 4, mean of means",
    TrainingRun.start(twoOf4, Switches.ALL_ON, corpus, null), true);
List<Double> loopGap = new ArrayList<>(), meansGap = new ArrayList<>();
for (int s = 0; s < oneBatch.steps().size(); s++) {
    double[] reference = oneBatch.weights().get(s);
    // A log axis cannot draw 0: an exact match would be drawn at 1e-20.
    loopGap.add(Math.max(1e-20, WhatBreaks.relativeDistance(oneDenominator.weights().get(s), reference)));
    meansGap.add(Math.max(1e-20, WhatBreaks.relativeDistance(meanOfMeans.weights().get(s), reference)));
}
XYChart accumChart = stepChart("grad_accum 2: distance of the weights from one batch of 8",
    "|w - w(one batch)| / |w(one batch)|");
accumChart.getStyler().setYAxisLogarithmic(true);
line(accumChart, "one denominator (the loop)", oneBatch.x(), loopGap);
line(accumChart, "mean of means", oneBatch.x(), meansGap);
display(Charts.png(accumChart));
List<Batch> firstStep = TrainingRun.start(twoOf4, Switches.ALL_ON, corpus, null).nextMicroBatches();
int n0 = firstStep.get(0).tokens(), n1 = firstStep.get(1).tokens();
int last = oneBatch.steps().size() - 1;
String.format("mean of means: step 0's micro-batches hold %d and %d targets (a token of the smaller weighs %.2fx "
    + "one of the larger); distance from one batch after %d steps: one denominator %.1e, mean of means %.1e; "
    + "dev loss %.4f (one batch), %.4f (one denominator), %.4f (mean of means)",
    n0, n1, (double) Math.max(n0, n1) / Math.min(n0, n1), last + 1, loopGap.get(last), meansGap.get(last),
    oneBatch.finalDev(), oneDenominator.finalDev(), meanOfMeans.finalDev())
''')

md(r'''
To rerun one of these with your own settings: `small.toMap()` shows every key of a config,
`TrainConfig.fromJson("{\"lr\": 0.05}", "mine")` makes one (the keys you leave out keep their defaults), and
`WhatBreaks.train("my run", TrainingRun.start(config, Switches.ALL_ON.withoutWarmup(), corpus, null))` records it.
''')

(HERE / "cells.json").write_text(json.dumps(cells, indent=1, ensure_ascii=False) + "\n")

# A scratch notebook that runs the section alone (not committed): the library line, then the cells.
nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                 "source": "%classpath ../../lib/target/jars/*.jar"}]
      + [dict(c, metadata={}, **({"execution_count": None, "outputs": []} if c["cell_type"] == "code" else {}))
         for c in cells],
      "metadata": {"kernelspec": {"display_name": "Java", "language": "java", "name": "java"}},
      "nbformat": 4, "nbformat_minor": 4}
(HERE / "nb").mkdir(exist_ok=True)
(HERE / "nb" / "breaks.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
print(len(cells), "cells")
