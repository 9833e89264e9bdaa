package minitrain.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import minitrain.Json;
import minitrain.KitError;
import minitrain.model.GPTConfig;

/**
 * Everything a training run is configured by, with defaults (nanoGPT's style: one block of settings, each
 * with the reason for its value). A config file may override any of them; an unknown key or a value of the
 * wrong type is an error naming the file and the key, before any work starts.
 */
public record TrainConfig(
        int nLayer,          // transformer blocks
        int nHead,           // attention heads; n_embd must divide by it
        int nEmbd,           // residual width C
        int blockSize,       // longest input; the longest record (65 tokens) needs 64
        double dropout,      // regularisation; small because the corpus is small but regular
        int batchSize,       // records per micro-batch
        int gradAccum,       // micro-batches per optimizer step
                             // (same update as one batch of batchSize * gradAccum)
        int maxSteps,        // optimizer steps; the schedule ends here
        int warmupSteps,     // linear warmup: Adam's second moments start at zero and overreact without it
        double lr,           // peak learning rate after warmup
        double minLr,        // floor the cosine decays to at the last step
        double weightDecay,  // AdamW's decoupled decay, on matrices and embeddings only
        double beta1,        // AdamW first-moment decay
        double beta2,        // AdamW second-moment decay (0.99: small batches, faster adaptation)
        double eps,          // AdamW denominator guard
        double gradClip,     // global gradient norm limit; 0 turns clipping off
        int evalEvery,       // steps between dev evaluations (the loss curve's dev points)
        int ckptEvery,       // steps between checkpoints in the run folder
        long seed,           // the one seed: initialisation, data order and dropout all derive from it
        int evalBatch,       // records per batch when evaluating; as many as batch_size keeps one pass's memory
                             // block the size training needs
        int bucketBatches) { // batches whose records are sorted by length together (DataOrder.Buckets):
                             // less padding, fewer wasted FLOPs; 0 pads batches of 32 random records

    public static TrainConfig defaults() {
        return new TrainConfig(3, 4, 96, 64, 0.05, 32, 1, 2000, 100, 3e-3, 1e-4, 0.1, 0.9, 0.99, 1e-8, 1.0,
                250, 500, 1337, 32, 0);
    }

    public TrainConfig {
        check(nLayer >= 1, "n_layer", "must be at least 1");
        check(nHead >= 1 && nEmbd % nHead == 0, "n_embd", "must be a multiple of n_head (" + nHead + ")");
        check(blockSize >= 1, "block_size", "must be at least 1");
        check(dropout >= 0 && dropout < 1, "dropout", "must be in [0, 1)");
        check(batchSize >= 1 && gradAccum >= 1, "batch_size", "and grad_accum must be at least 1");
        check(maxSteps >= 1, "max_steps", "must be at least 1");
        check(warmupSteps >= 0 && warmupSteps < maxSteps, "warmup_steps", "must be in [0, max_steps)");
        check(lr > 0, "lr", "must be positive");
        check(minLr >= 0 && minLr <= lr, "min_lr", "must be in [0, lr]");
        check(weightDecay >= 0, "weight_decay", "must not be negative");
        check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "beta1", "and beta2 must be in [0, 1)");
        check(eps > 0, "eps", "must be positive");
        check(gradClip >= 0, "grad_clip", "must not be negative");
        check(evalEvery >= 1 && ckptEvery >= 1 && evalBatch >= 1,
                "eval_every", "ckpt_every and eval_batch must be at least 1");
        check(bucketBatches >= 0, "bucket_batches", "must not be negative (0 turns length bucketing off)");
    }

    private static void check(boolean ok, String key, String what) {
        if (!ok) throw new KitError("config: " + key + " " + what);
    }

    public GPTConfig model(int vocabSize) {
        return new GPTConfig(nLayer, nHead, nEmbd, blockSize, vocabSize, dropout);
    }

    /** The JSON keys (snake_case, as in the config files), in declaration order. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n_layer", nLayer); m.put("n_head", nHead); m.put("n_embd", nEmbd); m.put("block_size", blockSize);
        m.put("dropout", dropout); m.put("batch_size", batchSize); m.put("grad_accum", gradAccum);
        m.put("max_steps", maxSteps); m.put("warmup_steps", warmupSteps); m.put("lr", lr); m.put("min_lr", minLr);
        m.put("weight_decay", weightDecay); m.put("beta1", beta1); m.put("beta2", beta2); m.put("eps", eps);
        m.put("grad_clip", gradClip); m.put("eval_every", evalEvery); m.put("ckpt_every", ckptEvery);
        m.put("seed", seed); m.put("eval_batch", evalBatch); m.put("bucket_batches", bucketBatches);
        return m;
    }

    /** These defaults with the keys of {@code overrides} replaced; {@code where} names the source in errors. */
    public TrainConfig with(JsonNode overrides, String where) {
        if (overrides == null || !overrides.isObject()) throw new KitError(where + ": a config must be a JSON object");
        Map<String, Object> m = toMap();
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.startsWith("_")) continue; // "_comment" and friends: notes for people
            if (!m.containsKey(key)) {
                throw new KitError(where + ": unknown key \"" + key + "\" (known: " + m.keySet() + ")");
            }
            Object old = m.get(key);
            JsonNode v = e.getValue();
            if (old instanceof Integer) {
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    throw new KitError(where + ": \"" + key + "\" must be an integer, got " + v);
                }
                m.put(key, v.asInt());
            } else if (old instanceof Long) {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw new KitError(where + ": \"" + key + "\" must be an integer, got " + v);
                }
                m.put(key, v.asLong());
            } else {
                if (!v.isNumber()) throw new KitError(where + ": \"" + key + "\" must be a number, got " + v);
                m.put(key, v.asDouble());
            }
        }
        try {
            return fromMap(m);
        } catch (KitError e) {
            throw new KitError(where + ": " + e.getMessage().replaceFirst("^config: ", ""));
        }
    }

    /** This config with one key changed, checked like a config file's: {@code config.with("grad_clip", 0.0)}. */
    public TrainConfig with(String key, Number value) {
        return with(Json.MAPPER.valueToTree(Map.of(key, value)), "with " + key);
    }

    private static TrainConfig fromMap(Map<String, Object> m) {
        return new TrainConfig(
                (int) m.get("n_layer"), (int) m.get("n_head"), (int) m.get("n_embd"), (int) m.get("block_size"),
                (double) m.get("dropout"), (int) m.get("batch_size"), (int) m.get("grad_accum"),
                (int) m.get("max_steps"), (int) m.get("warmup_steps"), (double) m.get("lr"), (double) m.get("min_lr"),
                (double) m.get("weight_decay"), (double) m.get("beta1"), (double) m.get("beta2"), (double) m.get("eps"),
                (double) m.get("grad_clip"), (int) m.get("eval_every"), (int) m.get("ckpt_every"),
                (long) m.get("seed"), (int) m.get("eval_batch"), (int) m.get("bucket_batches"));
    }

    public static TrainConfig read(Path file) {
        try {
            return defaults().with(Json.MAPPER.readTree(Files.readString(file)), file.toString());
        } catch (IOException e) {
            throw KitError.in(file, "cannot read the config: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    public static TrainConfig fromJson(String json, String where) {
        try {
            return defaults().with(Json.MAPPER.readTree(json), where);
        } catch (IOException e) {
            throw new KitError(where + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
