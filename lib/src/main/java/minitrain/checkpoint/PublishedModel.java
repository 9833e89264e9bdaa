package minitrain.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import minitrain.Json;
import minitrain.KitError;
import minitrain.Rng;
import minitrain.corpus.Corpus;
import minitrain.corpus.Vocab;
import minitrain.model.GPTConfig;
import minitrain.model.MiniGPT;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The phase's product: models/minigpt-phase18-HASH.safetensors (weights under nanoGPT's names; config,
 * vocabulary and special ids in its metadata, so the file alone rebuilds the model) and beside it
 * minigpt-phase18-HASH.json, the manifest. HASH is the first 12 hex digits of the file's sha256; loading
 * checks the file against the manifest's full sha256. {@code manifest} is an empty object when there is none.
 */
public record PublishedModel(Path file, String sha256, MiniGPT model, Vocab vocab, JsonNode manifest) {

    public static final String PREFIX = "minigpt-phase18-";
    /** Tensors of a training checkpoint that hold optimizer state, not weights (see minitrain.train.Checkpoint). */
    public static final String OPTIMIZER_PREFIX = "optim.";

    /** Writes the model and its manifest; returns the model file's path. */
    public static Path publish(Path modelsDir, MiniGPT model, Vocab vocab, Map<String, Object> manifestFields) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "minigpt-phase18");
        meta.put("config", model.config.toJson());
        meta.put("vocab", Json.compact(vocab.tokens()));
        meta.put("bos_id", Integer.toString(vocab.bosId));
        meta.put("eos_id", Integer.toString(vocab.eosId));
        meta.put("pad_id", Integer.toString(vocab.padId));
        byte[] bytes = SafeTensors.encode(model.stateDict(), meta);
        String sha = Corpus.sha256(bytes);
        Path file = modelsDir.resolve(PREFIX + sha.substring(0, 12) + ".safetensors");
        AtomicFiles.write(file, bytes);
        Map<String, Object> manifest = new LinkedHashMap<>(manifestFields);
        manifest.put("file", file.getFileName().toString());
        manifest.put("sha256", sha);
        manifest.put("config", model.config.toMap());
        manifest.put("parameters", model.parameterCount());
        manifest.put("bytes", bytes.length);
        AtomicFiles.writeString(manifestFor(file), Json.pretty(manifest));
        return file;
    }

    public static Path manifestFor(Path modelFile) {
        String name = modelFile.getFileName().toString().replaceFirst("\\.safetensors$", ".json");
        return modelFile.resolveSibling(name);
    }

    /**
     * Reads a model from a file that describes itself: a published model, or a training checkpoint
     * (ckpt-*.safetensors, whose optimizer moments {@code optim.*} are left aside). The config and vocabulary come
     * from the file's own metadata. The manifest beside a published model adds provenance and is checked when
     * present (the file must have its sha256); a model copied alone, or a checkpoint, has none.
     */
    public static PublishedModel load(Path file) {
        String sha = Corpus.sha256(file);
        Path manifestFile = manifestFor(file);
        JsonNode manifest = Json.MAPPER.createObjectNode();
        if (Files.exists(manifestFile)) {
            try {
                manifest = Json.MAPPER.readTree(Files.readString(manifestFile));
            } catch (IOException e) {
                throw KitError.in(manifestFile, "cannot read the model's manifest: " + e.getMessage());
            }
            if (!sha.equals(manifest.path("sha256").asText())) {
                throw KitError.in(file, "sha256 " + sha.substring(0, 12) + "... differs from its manifest's "
                        + manifest.path("sha256").asText() + ": the file was changed or damaged");
            }
        }
        SafeTensors.Contents c = SafeTensors.read(file);
        String where = file.toString();
        String cfg = c.metadata().get("config"), vocabJson = c.metadata().get("vocab");
        if (cfg == null || vocabJson == null) {
            throw new KitError(where + ": metadata lacks config or vocab, so the file does not describe a model");
        }
        GPTConfig config = GPTConfig.fromJson(cfg, where + " config");
        List<String> tokens = new ArrayList<>();
        try {
            for (JsonNode t : Json.MAPPER.readTree(vocabJson)) tokens.add(t.asText());
        } catch (IOException e) {
            throw new KitError(where + ": vocab metadata is not a JSON list");
        }
        Vocab vocab = new Vocab(tokens);
        MiniGPT model = new MiniGPT(config, new Rng(0));
        Map<String, INDArray> weights = new LinkedHashMap<>(c.tensors());
        weights.keySet().removeIf(name -> name.startsWith(OPTIMIZER_PREFIX));
        model.load(weights, where);
        return new PublishedModel(file, sha, model, vocab, manifest);
    }

    /** The newest published model in {@code modelsDir} (by file time), or null. */
    public static Path latest(Path modelsDir) {
        if (!Files.isDirectory(modelsDir)) return null;
        try (Stream<Path> s = Files.list(modelsDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && p.toString().endsWith(".safetensors"))
                    .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified())).orElse(null);
        } catch (IOException e) {
            throw KitError.in(modelsDir, "cannot list models: " + e.getMessage());
        }
    }
}
