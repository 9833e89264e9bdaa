package minitrain.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import minitrain.Json;
import minitrain.KitError;
import minitrain.Rng;
import minitrain.corpus.Corpus;
import minitrain.corpus.Split;
import minitrain.model.GPTConfig;
import minitrain.model.MiniGPT;
import minitrain.train.DataOrder;
import minitrain.train.Switches;
import minitrain.train.TrainConfig;
import minitrain.train.TrainingRun;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training checkpoint: one safetensors file holding the weights (nanoGPT's names), AdamW's moments
 * (optim.m.NAME, optim.v.NAME), and in its metadata every number needed to continue: step, optimizer
 * step, data order, dropout generator, configs, vocabulary and the corpus hash.
 */
public final class Checkpoint {

    public static final String FORMAT = "minitrain-checkpoint-1";

    private Checkpoint() {}

    public static Path fileFor(Path runDir, int step) {
        return runDir.resolve(String.format("ckpt-%06d.safetensors", step));
    }

    public static void save(TrainingRun r) {
        Map<String, INDArray> tensors = new LinkedHashMap<>(r.model.stateDict());
        r.optimizer.moments(false).forEach((k, v) -> tensors.put("optim.m." + k, v));
        r.optimizer.moments(true).forEach((k, v) -> tensors.put("optim.v." + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Integer.toString(r.step()));
        meta.put("optimizer_step", Integer.toString(r.optimizer.steps()));
        meta.put("data_epoch", Integer.toString(r.dataOrder().epoch()));
        meta.put("data_position", Integer.toString(r.dataOrder().position()));
        meta.put("data_epoch_rng", Long.toString(r.dataOrder().epochStartState()));
        meta.put("dropout_rng", Long.toString(r.dropoutRng().state()));
        meta.put("schedule", Json.compact(Map.of("lr", r.schedule.peak(), "min_lr", r.schedule.min(),
                "warmup_steps", r.schedule.warmup(), "max_steps", r.schedule.maxSteps())));
        meta.put("train_config", Json.compact(r.config.toMap()));
        meta.put("config", r.model.config.toJson());
        meta.put("vocab", Json.compact(r.vocab.tokens()));
        meta.put("bos_id", Integer.toString(r.vocab.bosId));
        meta.put("eos_id", Integer.toString(r.vocab.eosId));
        meta.put("pad_id", Integer.toString(r.vocab.padId));
        meta.put("corpus_sha256", r.corpus.sha256());
        SafeTensors.write(fileFor(r.runDir, r.step()), tensors, meta);
        // Time spent is not state (it differs from machine to machine), so it lives beside the checkpoint:
        // the checkpoint itself stays byte-identical between a run and its resumed copy.
        AtomicFiles.writeString(r.runDir.resolve(String.format("ckpt-%06d.seconds", r.step())), r.seconds() + "\n");
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

    /**
     * Rebuilds the run a checkpoint was saved from. {@code restoreRng} false starts dropout from a fresh
     * generator instead: the "what breaks" experiment, whose run then drifts from the uninterrupted one.
     */
    public static TrainingRun load(Path file, Corpus corpus, Switches switches, boolean restoreRng) {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> meta = c.metadata();
        String where = file.toString();
        if (!FORMAT.equals(meta.get("format"))) throw new KitError(where + ": not a training checkpoint (format " + meta.get("format") + ")");
        String sha = meta.get("corpus_sha256");
        if (!corpus.sha256().equals(sha)) {
            throw new KitError(where + ": trained on corpus " + abbrev(sha) + ", but the corpus here is " + abbrev(corpus.sha256()));
        }
        TrainConfig config = TrainConfig.fromJson(meta.get("train_config"), where + " train_config");
        GPTConfig model = GPTConfig.fromJson(meta.get("config"), where + " config");
        MiniGPT m = new MiniGPT(model, new Rng(0));
        Map<String, INDArray> weights = new LinkedHashMap<>(), first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        Map<String, long[]> shapes = MiniGPT.shapes(model);
        SafeTensors.expectShapes(where, c.tensors(), shapes);
        Map<String, long[]> momentShapes = new LinkedHashMap<>();
        shapes.forEach((k, v) -> { momentShapes.put("optim.m." + k, v); momentShapes.put("optim.v." + k, v); });
        SafeTensors.expectShapes(where, c.tensors(), momentShapes);
        for (String name : shapes.keySet()) {
            weights.put(name, c.tensors().get(name));
            first.put(name, require(c, "optim.m." + name, where));
            second.put(name, require(c, "optim.v." + name, where));
        }
        m.load(weights, where);
        DataOrder data = new DataOrder(corpus.records(Split.TRAIN).size(), number(meta, "data_epoch", where),
                number(meta, "data_position", where), Long.parseLong(meta.get("data_epoch_rng")));
        Rng dropout = restoreRng ? new Rng(Long.parseLong(meta.get("dropout_rng"))) : new Rng(config.seed());
        TrainingRun r = TrainingRun.resume(config, switches, corpus, m, data, dropout, number(meta, "step", where),
                file.toAbsolutePath().getParent());
        r.optimizer.restore(number(meta, "optimizer_step", where), first, second);
        Path seconds = file.resolveSibling(file.getFileName().toString().replace(".safetensors", ".seconds"));
        try {
            r.restoreSeconds(Files.exists(seconds) ? Double.parseDouble(Files.readString(seconds).trim()) : 0);
        } catch (IOException | NumberFormatException e) {
            r.restoreSeconds(0); // only the reported timing is affected, never the training
        }
        return r;
    }

    private static INDArray require(SafeTensors.Contents c, String name, String where) {
        INDArray a = c.tensors().get(name);
        if (a == null) throw new KitError(where + ": missing tensor " + name);
        return a;
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
