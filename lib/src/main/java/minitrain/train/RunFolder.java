package minitrain.train;

import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * A run on disk, from its first file to its published model. {@link #create} writes run.json (the config, the
 * corpus and where to publish: enough for {@code minitrain resume} to continue it), then the loop fills the
 * folder with metrics.csv and checkpoints, and {@link #publish} evaluates the finished run and writes the model
 * with its manifest. {@code minitrain train} and lab 01 both go through here, so a run trained by the learner's
 * loop in the notebook and one trained by the command line are published the same way.
 */
public final class RunFolder {

    private RunFolder() {}

    /** What publishing measured: the model file, its perplexities and the baseline's. */
    public record Published(Path file, double valPpl, double devPpl, Baseline baseline) {

        public boolean beatsBaseline() {
            return valPpl < baseline.valPpl();
        }

        /** One line for a terminal or a notebook. */
        public String summary(double trainSeconds) {
            return String.format("val perplexity %.4f vs n-gram baseline %.4f (order %d): "
                    + "%.1f%% %s; %.0f s of training",
                    valPpl, baseline.valPpl(), baseline.order(), 100 * Math.abs(1 - valPpl / baseline.valPpl()),
                    beatsBaseline() ? "lower" : "higher", trainSeconds);
        }
    }

    /**
     * Starts a new run in {@code dir}: checks the config against the corpus and that {@code modelsDir} can be
     * written before any file is made (a refused run leaves nothing behind), then writes run.json.
     * {@code where} names the config in errors.
     */
    public static TrainingRun create(TrainConfig config, Switches switches, Corpus corpus, Path dir, Path modelsDir,
                                     String where) {
        if (Files.exists(dir.resolve("run.json"))) {
            throw KitError.in(dir, "already holds a run: continue it with 'minitrain resume " + dir
                    + "' or pick another run folder");
        }
        TrainingRun.requireBlockSizeFits(config, corpus, where);
        Path root = Kit.root();
        Path models = modelsDir.toAbsolutePath().normalize();
        AtomicFiles.requireWritableFolder(models);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("config", config.toMap());
        run.put("corpus", "corpus");
        run.put("corpus_sha256", corpus.sha256());
        // Relative to the kit when inside it, so a run folder names no machine-specific path.
        run.put("models", models.startsWith(root) ? root.relativize(models).toString() : models.toString());
        AtomicFiles.writeString(dir.resolve("run.json"), Json.pretty(run));
        return TrainingRun.start(config, switches, corpus, dir);
    }

    /**
     * Evaluates a finished run on dev and val, compares it with the n-gram baseline (computed and saved once
     * when missing) and publishes the model with its manifest: provenance, metrics and timings.
     * {@code sessionSeconds} is the time of this session alone; the run's own seconds count every resume.
     */
    public static Published publish(TrainingRun r, Path modelsDir, double sessionSeconds) {
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
        timings.put("wall_s", r.seconds());
        timings.put("ms_per_step", 1000 * r.seconds() / Math.max(1, r.step()));
        timings.put("last_session_s", sessionSeconds);
        m.put("timings", timings);
        m.put("environment", Environment.describe());
        Path dir = r.runDir().toAbsolutePath().normalize();
        m.put("run_dir", dir.startsWith(root) ? root.relativize(dir).toString() : dir.toString());
        Path file = PublishedModel.publish(modelsDir, r.model(), r.vocab(), m);
        return new Published(file, val, dev, b);
    }
}
