package minitrain.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import minitrain.Json;
import minitrain.KitError;

/**
 * The shape of a MiniGPT; it travels with the model (in every checkpoint's metadata) so a file alone is
 * enough to rebuild it.
 *
 * @param nLayer    transformer blocks
 * @param nHead     attention heads per block; nEmbd must divide by it
 * @param nEmbd     width of the residual stream (C)
 * @param blockSize longest input the position embedding covers (T); must hold the longest record
 * @param vocabSize tokens, including the three specials
 * @param dropout   probability of zeroing an activation in training (embeddings, attention, residual paths)
 */
public record GPTConfig(int nLayer, int nHead, int nEmbd, int blockSize, int vocabSize, double dropout) {

    public GPTConfig {
        if (nLayer < 1) throw new KitError("n_layer must be at least 1, got " + nLayer);
        if (nHead < 1) throw new KitError("n_head must be at least 1, got " + nHead);
        if (nEmbd < 1 || nEmbd % nHead != 0) {
            throw new KitError("n_embd (" + nEmbd + ") must be a positive multiple of n_head (" + nHead + ")");
        }
        if (blockSize < 1) throw new KitError("block_size must be at least 1, got " + blockSize);
        if (vocabSize < 4) throw new KitError("vocab_size must be at least 4, got " + vocabSize);
        if (!(dropout >= 0 && dropout < 1)) throw new KitError("dropout must be in [0, 1), got " + dropout);
    }

    /** nanoGPT's names, as they appear in JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n_layer", nLayer);
        m.put("n_head", nHead);
        m.put("n_embd", nEmbd);
        m.put("block_size", blockSize);
        m.put("vocab_size", vocabSize);
        m.put("dropout", dropout);
        return m;
    }

    public String toJson() {
        return Json.compact(toMap());
    }

    private static final Set<String> KEYS =
            Set.of("n_layer", "n_head", "n_embd", "block_size", "vocab_size", "dropout");

    /** Parses the JSON form; {@code where} names the file (and key) in error messages. */
    public static GPTConfig fromJson(String json, String where) {
        JsonNode o;
        try {
            o = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new KitError(where + ": model config is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        return fromNode(o, where);
    }

    public static GPTConfig fromNode(JsonNode o, String where) {
        if (o == null || !o.isObject()) throw new KitError(where + ": model config must be a JSON object");
        Set<String> unknown = new TreeSet<>();
        o.fieldNames().forEachRemaining(k -> { if (!KEYS.contains(k)) unknown.add(k); });
        if (!unknown.isEmpty()) throw new KitError(where + ": unknown model config key(s) " + unknown);
        return new GPTConfig(intField(o, "n_layer", where), intField(o, "n_head", where), intField(o, "n_embd", where),
                intField(o, "block_size", where), intField(o, "vocab_size", where),
                o.has("dropout") ? numberField(o, "dropout", where) : 0.0);
    }

    private static int intField(JsonNode o, String key, String where) {
        JsonNode v = o.get(key);
        if (v == null) throw new KitError(where + ": model config lacks \"" + key + "\"");
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new KitError(where + ": \"" + key + "\" must be an integer, got " + v);
        }
        return v.asInt();
    }

    private static double numberField(JsonNode o, String key, String where) {
        JsonNode v = o.get(key);
        if (!v.isNumber()) throw new KitError(where + ": \"" + key + "\" must be a number, got " + v);
        return v.asDouble();
    }
}
