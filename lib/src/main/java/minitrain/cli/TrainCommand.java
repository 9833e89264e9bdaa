package minitrain.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import minitrain.Json;
import minitrain.Kit;
import minitrain.KitError;
import minitrain.checkpoint.AtomicFiles;
import minitrain.checkpoint.Environment;
import minitrain.checkpoint.PublishedModel;
import minitrain.corpus.Corpus;
import minitrain.corpus.Split;
import minitrain.ngram.Baseline;
import minitrain.train.TrainConfig;
import minitrain.train.TrainingLoop;
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
        if (Files.exists(dir.resolve("run.json"))) {
            throw KitError.in(dir, "already holds a run: continue it with 'minitrain resume " + dir + "' or pick another --run-dir");
        }
        Corpus corpus = Corpus.load(root.resolve("corpus"));
        // Every check before the first file is written: a refused config leaves no run folder behind.
        TrainingRun.requireBlockSizeFits(c, corpus, configFile.toString());
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("config", c.toMap());
        run.put("corpus", "corpus");
        run.put("corpus_sha256", corpus.sha256());
        // Relative to the kit when inside it, so a run folder names no machine-specific path.
        Path modelsDir = (models != null ? models : root.resolve("models")).toAbsolutePath().normalize();
        run.put("models", modelsDir.startsWith(root) ? root.relativize(modelsDir).toString() : modelsDir.toString());
        AtomicFiles.requireWritableFolder(modelsDir);
        AtomicFiles.writeString(dir.resolve("run.json"), Json.pretty(run));
        TrainingRun r = TrainingRun.start(c, corpus, dir);
        trainAndPublish(r, modelsDir);
    }

    /** The loop with a progress display, then the final evaluation, publication and comparison. */
    static void trainAndPublish(TrainingRun r, Path modelsDir) {
        long t0 = System.nanoTime();
        int firstStep = r.step();
        System.out.printf("minitrain: %d parameters, steps %d..%d, run folder %s%n", r.model().parameterCount(),
                firstStep, r.config().maxSteps(), Kit.show(r.runDir()));
        TrainingLoop.run(r, new Progress(r.config().maxSteps(), firstStep));
        double sessionSeconds = (System.nanoTime() - t0) / 1e9;
        double trainSeconds = r.seconds(); // every session of this run, resumes included
        double dev = Math.exp(r.loss(Split.DEV)), val = Math.exp(r.loss(Split.VAL));
        Path root = Kit.root();
        Path baselineFile = root.resolve("experiments/14-ngram/baseline.json");
        Baseline b = Files.exists(baselineFile) ? Baseline.read(baselineFile) : Baseline.compute(r.corpus());
        if (!Files.exists(baselineFile)) b.write(baselineFile);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("corpus_sha256", r.corpus().sha256());
        m.put("git_commit", Environment.gitCommit(root));
        m.put("kit_version", Kit.version());
        m.put("seed", r.config().seed());
        m.put("steps", r.step());
        m.put("train_config", r.config().toMap());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("val_ppl", val);
        metrics.put("dev_ppl", dev);
        metrics.put("baseline_val_ppl", b.valPpl());
        metrics.put("baseline_order", b.order());
        metrics.put("val_ppl_vs_baseline", val / b.valPpl());
        m.put("metrics", metrics);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("wall_s", trainSeconds);
        timings.put("ms_per_step", 1000 * trainSeconds / Math.max(1, r.step()));
        timings.put("last_session_s", sessionSeconds);
        m.put("timings", timings);
        m.put("environment", Environment.describe());
        m.put("run_dir", root.relativize(r.runDir().toAbsolutePath()).toString());
        Path file = PublishedModel.publish(modelsDir, r.model(), r.vocab(), m);
        System.out.printf("minitrain: published %s%n", Kit.show(file));
        System.out.printf("minitrain: val perplexity %.4f vs n-gram baseline %.4f (order %d): %.1f%% %s; %.0f s of training%n",
                val, b.valPpl(), b.order(), 100 * Math.abs(1 - val / b.valPpl()), val < b.valPpl() ? "lower" : "higher", trainSeconds);
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
            String line = String.format("step %5d/%d  loss %.4f  lr %.2e  %6.0f tok/s  ETA %4.0f s%s", step + 1, maxSteps,
                    loss, lr, tokensPerS, eta, dev == null ? "" : String.format("  dev %.4f", dev));
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
