package minitrain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * One JSON mapper for the whole kit. Keys are sorted and the indentation fixed so that the same value
 * always gives the same bytes: manifests and checkpoint headers are hashed, so their text must be stable.
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    /**
     * For reading untrusted files (shards, safetensors headers): a repeated key or text after the value is an
     * error, not silently resolved (Jackson's default keeps the last key and ignores what follows, which would
     * drop the second of two records pasted onto one line).
     */
    public static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"));

    private Json() {}

    /** Compact, one line, sorted keys: for JSONL records and safetensors headers. */
    public static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new KitError("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A string from a file, quoted and escaped as JSON, for error messages: a name holding a line break or a
     * control character then stays on the error's one line.
     */
    public static String quote(String s) {
        return compact(s);
    }

    /** Indented, sorted keys, ending with a newline: for files a person reads (manifests, configs). */
    public static String pretty(Object value) {
        try {
            return MAPPER.writer(PRETTY).writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new KitError("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }
}
