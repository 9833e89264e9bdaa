package minitrain.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import minitrain.Json;
import minitrain.KitError;
import minitrain.Rng;
import minitrain.checkpoint.AtomicFiles;
import minitrain.checkpoint.Environment;
import minitrain.checkpoint.PublishedModel;
import minitrain.checkpoint.SafeTensors;
import minitrain.corpus.Corpus;
import minitrain.corpus.Split;
import minitrain.model.GPTConfig;
import minitrain.model.MiniGPT;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training checkpoint: how a {@link TrainingRun}'s state maps onto a safetensors file (the format itself is
 * {@link SafeTensors}, which knows nothing of training). The tensors are the weights (nanoGPT's names) and
 * AdamW's moments (optim.m.NAME, optim.v.NAME); the metadata holds every other number needed to continue: step,
 * optimizer step, data order, dropout generator, configs, vocabulary and the corpus hash. The model's config
 * and vocabulary make the file readable as a model on its own (minitrain eval and drift accept it).
 */
public final class Checkpoint {

    public static final String FORMAT = "minitrain-checkpoint-1";

    private Checkpoint() {}

    public static Path fileFor(Path runDir, int step) {
        return runDir.resolve(String.format("ckpt-%06d.safetensors", step));
    }

    public static void save(TrainingRun r) {
        SafeTensors.write(fileFor(r.runDir(), r.step()), tensors(r), metadata(r));
        // Time spent is not state (it differs from machine to machine), so it lives beside the checkpoint:
        // the checkpoint itself stays byte-identical between a run and its resumed copy.
        AtomicFiles.writeString(secondsFile(fileFor(r.runDir(), r.step())), r.seconds() + "\n");
    }

    /** Every tensor of the run's state by its checkpoint name: weights, then AdamW's first and second moments. */
    public static Map<String, INDArray> tensors(TrainingRun r) {
        Map<String, INDArray> tensors = new LinkedHashMap<>(r.model().stateDict());
        r.optimizer().moments(false).forEach((k, v) -> tensors.put(PublishedModel.OPTIMIZER_PREFIX + "m." + k, v));
        r.optimizer().moments(true).forEach((k, v) -> tensors.put(PublishedModel.OPTIMIZER_PREFIX + "v." + k, v));
        return tensors;
    }

    /** The run's state that is not a tensor, as the checkpoint's string metadata. */
    public static Map<String, String> metadata(TrainingRun r) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Integer.toString(r.step()));
        meta.put("optimizer_step", Integer.toString(r.optimizer().steps()));
        meta.put("data_epoch", Integer.toString(r.dataOrder().epoch()));
        meta.put("data_position", Integer.toString(r.dataOrder().position()));
        meta.put("data_epoch_rng", Long.toString(r.dataOrder().epochStartState()));
        meta.put("dropout_rng", Long.toString(r.dropout().state()));
        LrSchedule s = r.schedule();
        meta.put("schedule", Json.compact(Map.of("lr", s.peak(), "min_lr", s.min(),
                "warmup_steps", s.warmup(), "max_steps", s.maxSteps())));
        meta.put("train_config", Json.compact(r.config().toMap()));
        meta.put("config", r.model().config.toJson());
        meta.put("vocab", Json.compact(r.vocab().tokens()));
        meta.put("bos_id", Integer.toString(r.vocab().bosId));
        meta.put("eos_id", Integer.toString(r.vocab().eosId));
        meta.put("pad_id", Integer.toString(r.vocab().padId));
        meta.put("corpus_sha256", r.corpus().sha256());
        // How the arithmetic was done: the same bytes are promised only between runs in the same mode.
        meta.put("blas_mode", Environment.blasMode());
        meta.put("blas_coretype", Environment.blasCoreType());
        return meta;
    }

    private static Path secondsFile(Path checkpoint) {
        return checkpoint.resolveSibling(checkpoint.getFileName().toString().replace(".safetensors", ".seconds"));
    }

    /** The checkpoint with the highest step in {@code runDir}, or null when there is none. */
    public static Path latest(Path runDir) {
        try (Stream<Path> s = Files.list(runDir)) {
            return s.filter(p -> p.getFileName().toString().matches("ckpt-\\d{6}\\.safetensors")).sorted()
                    .reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            throw KitError.in(runDir, "cannot list checkpoints: " + e.getMessage());
        }
    }

    /** The four parts of a run's state besides the weights; the "what breaks" experiment leaves one out. */
    public enum Part {
        /** AdamW's moments and its step count (the t of the bias correction). */
        MOMENTS,
        /** The step number, and with it the learning rate the schedule gives. */
        STEP,
        /** Which records come next: the epoch's permutation and the position in it. */
        DATA_ORDER,
        /** The state of the generator dropout draws its masks from. */
        DROPOUT_RNG
    }

    /** Rebuilds the run a checkpoint was saved from, every part restored: it goes on as if it never stopped. */
    public static TrainingRun load(Path file, Corpus corpus) {
        return load(file, corpus, Switches.ALL_ON, EnumSet.allOf(Part.class));
    }

    /**
     * Rebuilds the run with only the {@code restored} parts taken from the checkpoint (the weights always are);
     * a part left out starts as a new run's would: fresh moments, step 0, the first epoch's order, the
     * dropout generator seeded anew. Such a run drifts from the uninterrupted one, which lab 02 measures; it is
     * kept in memory (no run folder), so it writes nothing beside the checkpoint it came from.
     */
    public static TrainingRun load(Path file, Corpus corpus, Switches switches, Set<Part> restored) {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> meta = c.metadata();
        String where = file.toString();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new KitError(where + ": not a training checkpoint (format " + meta.get("format") + ")");
        }
        String sha = meta.get("corpus_sha256");
        if (!corpus.sha256().equals(sha)) {
            throw new KitError(where + ": trained on corpus " + abbrev(sha) + ", but the corpus here is "
                    + abbrev(corpus.sha256()));
        }
        TrainConfig config = TrainConfig.fromJson(meta.get("train_config"), where + " train_config");
        GPTConfig model = GPTConfig.fromJson(meta.get("config"), where + " config");
        Map<String, long[]> shapes = MiniGPT.shapes(model);
        Map<String, long[]> momentShapes = new LinkedHashMap<>();
        shapes.forEach((k, v) -> {
            momentShapes.put("optim.m." + k, v);
            momentShapes.put("optim.v." + k, v);
        });
        SafeTensors.expectShapes(where, c.tensors(), shapes);
        SafeTensors.expectShapes(where, c.tensors(), momentShapes);
        Map<String, INDArray> weights = new LinkedHashMap<>(), first = new LinkedHashMap<>();
        Map<String, INDArray> second = new LinkedHashMap<>();
        for (String name : shapes.keySet()) {
            weights.put(name, c.tensors().get(name));
            first.put(name, require(c, "optim.m." + name, where));
            second.put(name, require(c, "optim.v." + name, where));
        }
        MiniGPT m = new MiniGPT(model, new Rng(0));
        m.load(weights, where);
        // A part left out is made the way TrainingRun.start makes it for a new run with this seed.
        Rng root = new Rng(config.seed());
        root.split(); // the initialisation's generator: the weights come from the file
        long dataSeed = root.nextLong();
        Rng freshDropout = root.split();
        int records = corpus.records(Split.TRAIN).size();
        DataOrder data = restored.contains(Part.DATA_ORDER)
                ? new DataOrder(records, number(meta, "data_epoch", where), number(meta, "data_position", where),
                        longNumber(meta, "data_epoch_rng", where), TrainingRun.buckets(config, corpus))
                : new DataOrder(records, dataSeed, TrainingRun.buckets(config, corpus));
        Rng dropout = restored.contains(Part.DROPOUT_RNG) ? new Rng(longNumber(meta, "dropout_rng", where))
                : freshDropout;
        int step = restored.contains(Part.STEP) ? number(meta, "step", where) : 0;
        // A run missing a part is an experiment, not this run's continuation: it stays in memory, so it can never
        // rewrite the run folder's metrics.csv or checkpoints.
        Path runDir = restored.containsAll(EnumSet.allOf(Part.class)) ? file.toAbsolutePath().getParent() : null;
        TrainingRun r = new TrainingRun(config, switches, corpus, m, data, dropout, step, seconds(file), runDir);
        if (restored.contains(Part.MOMENTS)) {
            r.optimizer().restore(number(meta, "optimizer_step", where), first, second);
        }
        return r;
    }

    /** Seconds the run had spent when the checkpoint was written; 0 when unknown (only timings use it). */
    private static double seconds(Path checkpoint) {
        try {
            Path f = secondsFile(checkpoint);
            return Files.exists(f) ? Double.parseDouble(Files.readString(f).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static INDArray require(SafeTensors.Contents c, String name, String where) {
        INDArray a = c.tensors().get(name);
        if (a == null) throw new KitError(where + ": missing tensor " + name);
        return a;
    }

    private static long longNumber(Map<String, String> meta, String key, String where) {
        try {
            return Long.parseLong(meta.get(key));
        } catch (RuntimeException e) {
            throw new KitError(where + ": metadata \"" + key + "\" is not a number: " + meta.get(key));
        }
    }

    private static int number(Map<String, String> meta, String key, String where) {
        try {
            return Integer.parseInt(meta.get(key));
        } catch (RuntimeException e) {
            throw new KitError(where + ": metadata \"" + key + "\" is not a number: " + meta.get(key));
        }
    }

    private static String abbrev(String sha) {
        return sha == null ? "(unknown)" : sha.substring(0, Math.min(12, sha.length()));
    }


}
