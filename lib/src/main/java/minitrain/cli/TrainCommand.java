package minitrain.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import minitrain.Json;
import minitrain.Kit;
import minitrain.corpus.Corpus;
import minitrain.train.TrainConfig;
import minitrain.train.TrainingLoop;
import minitrain.train.RunFolder;
import minitrain.train.Switches;
import minitrain.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minitrain train}: train MiniGPT, checkpoint as it goes, publish the model, compare with the baseline. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train MiniGPT on the corpus and publish the model into models/.")
public final class TrainCommand implements Runnable {

    static final String SHIPPED = "experiments/18-train-mini/config.json";

    @Option(names = "--config", description = "Training config (JSON; default: " + SHIPPED + ").")
    Path config;

    @Option(names = "--max-steps", description = "Override max_steps.")
    Integer maxSteps;

    @Option(names = "--ckpt-every", description = "Override ckpt_every.")
    Integer ckptEvery;

    @Option(names = "--seed", description = "Override seed.")
    Long seed;

    @Option(names = "--run-dir", description = "Run folder (default: experiments/18-train-mini/runs/<time>).")
    Path runDir;

    @Option(names = "--models", description = "Where to publish (default: models/).")
    Path models;

    @Override
    public void run() {
        Path root = Kit.root();
        Path configFile = config != null ? config : root.resolve(SHIPPED);
        TrainConfig c = TrainConfig.read(configFile);
        Map<String, Object> o = new LinkedHashMap<>(c.toMap());
        if (maxSteps != null) o.put("max_steps", maxSteps);
        if (ckptEvery != null) o.put("ckpt_every", ckptEvery);
        if (seed != null) o.put("seed", seed);
        c = TrainConfig.fromJson(Json.compact(o), "command line");
        Path dir = runDir != null ? runDir : root.resolve("experiments/18-train-mini/runs")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Corpus corpus = Corpus.load(root.resolve("corpus"));
        Path modelsDir = models != null ? models : root.resolve("models");
        TrainingRun r = RunFolder.create(c, Switches.ALL_ON, corpus, dir, modelsDir, configFile.toString());
        trainAndPublish(r, modelsDir);
    }

    /** The loop with a progress display, then the final evaluation, publication and comparison. */
    static void trainAndPublish(TrainingRun r, Path modelsDir) {
        long t0 = System.nanoTime();
        int firstStep = r.step();
        System.out.printf("minitrain: %d parameters, steps %d..%d (counted from 0, as in metrics.csv), run folder %s%n",
                r.model().parameterCount(), firstStep, r.config().maxSteps() - 1, Kit.show(r.runDir()));
        TrainingLoop.run(r, new Progress(r.config().maxSteps(), firstStep));
        RunFolder.Published p = RunFolder.publish(r, modelsDir, (System.nanoTime() - t0) / 1e9);
        System.out.printf("minitrain: published %s%n", Kit.show(p.file()));
        System.out.println("minitrain: " + p.summary(r.seconds())); // every session of this run, resumes included
    }

    /** A one-line progress bar on a terminal; plain lines (at each dev evaluation) otherwise. */
    static final class Progress implements TrainingLoop.Listener {
        private final int maxSteps, firstStep;
        private final boolean terminal = System.console() != null;
        private final long t0 = System.nanoTime();

        Progress(int maxSteps, int firstStep) {
            this.maxSteps = maxSteps;
            this.firstStep = firstStep;
        }

        @Override
        public void step(int step, double lr, double loss, Double dev, double norm, double tokensPerS) {
            double elapsed = (System.nanoTime() - t0) / 1e9;
            int done = step + 1 - firstStep;
            double eta = elapsed / done * (maxSteps - step - 1);
            // The step's own number, as metrics.csv and the report count it: 0 .. max_steps - 1.
            String line = String.format("step %5d of 0..%d  loss %.4f  lr %.2e  %6.0f tok/s  ETA %4.0f s%s", step,
                    maxSteps - 1, loss, lr, tokensPerS, eta, dev == null ? "" : String.format("  dev %.4f", dev));
            if (terminal) {
                int width = 20, filled = (int) (width * (step + 1.0) / maxSteps);
                System.out.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + line);
                if (step + 1 == maxSteps) System.out.println();
            } else if (dev != null || step + 1 == maxSteps) {
                System.out.println(line);
            }
        }
    }
}
