package minitrain.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Structure-aware damage: parse the JSON, swap one node for a hostile value, write it back. Byte flips
 * almost always break the JSON syntax and stop at the parser; these reach the checks behind it (types,
 * ranges, sizes), which is where a reader's real mistakes hide.
 */
final class JsonEdit {

    private static final ObjectMapper M = new ObjectMapper();

    /** Values a reader must survive in any field: wrong types, boundary numbers, huge and nested values. */
    static final List<String> HOSTILE = List.of(
            "-1", "0", "1", "2147483647", "2147483648", "4611686018427387904", "9223372036854775807",
            "18446744073709551616", "1e308", "-0.0", "1.5", "NaN-is-not-json", "\"\"", "\"F32\"", "\"F16\"",
            "\"BF16\"", "\"I64\"", "\"X\"", "\"train\"", "\"present\"", "\"1sg\"", "\"a\\nb\"", "[]", "[0]",
            "[0,0]", "[4611686018427387904,4611686018427387912]", "[-8,0]",
            "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]",
            "[0,4611686018427387904]", "{}", "null", "true",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");

    private JsonEdit() {}

    /**
     * A safetensors file (its JSON header) or a JSONL file (line {@code line}, modulo the line count) with
     * node {@code node} (modulo the node count, in document order) replaced by {@code HOSTILE[replacement]}.
     * Input that does not parse is returned unchanged: byte mutations cover it.
     */
    static byte[] rewrite(byte[] in, int line, int node, int replacement, boolean fixLength) {
        String value = HOSTILE.get(replacement);
        if (looksLikeSafetensors(in)) {
            ByteBuffer b = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) b.getLong(0);
            String edited = edit(new String(in, 8, n, StandardCharsets.UTF_8), node, value);
            if (edited == null) return in;
            byte[] h = edited.getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(8 + h.length + in.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
            // Either the length follows the new header, or it keeps the old value and now lies.
            out.putLong(fixLength ? h.length : n).put(h).put(in, 8 + n, in.length - 8 - n);
            return out.array();
        }
        String[] lines = new String(in, StandardCharsets.UTF_8).split("\n", -1);
        int k = Math.floorMod(line, lines.length);
        String edited = edit(lines[k], node, value);
        if (edited == null) return in;
        lines[k] = edited;
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    private static boolean looksLikeSafetensors(byte[] in) {
        if (in.length < 10) return false;
        long n = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return n >= 2 && n <= in.length - 8 && in[8] == '{';
    }

    private static String edit(String json, int node, String value) {
        try {
            JsonNode root = M.readTree(json);
            if (root == null || !root.isContainerNode()) return null;
            List<JsonNode[]> slots = new ArrayList<>(); // (parent, child) pairs in document order
            collect(root, slots);
            if (slots.isEmpty()) return null;
            JsonNode[] slot = slots.get(Math.floorMod(node, slots.size()));
            String raw = value.equals("NaN-is-not-json") ? null : value;
            JsonNode replacement = raw == null ? null : M.readTree(raw);
            String text = replace(root, slot[0], slot[1], replacement);
            // Not JSON at all: spliced in as text, so the reader's parser sees it.
            return raw == null ? text.replace("\"__NAN__\"", "NaN") : text;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void collect(JsonNode parent, List<JsonNode[]> slots) {
        for (JsonNode child : parent) {
            slots.add(new JsonNode[] {parent, child});
            if (child.isContainerNode()) collect(child, slots);
        }
    }

    private static String replace(JsonNode root, JsonNode parent, JsonNode child, JsonNode value) throws IOException {
        JsonNode v = value == null ? M.getNodeFactory().textNode("__NAN__") : value;
        if (parent instanceof ObjectNode o) {
            o.fields().forEachRemaining(e -> { if (e.getValue() == child) e.setValue(v); });
        } else if (parent instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) if (a.get(i) == child) { a.set(i, v); break; }
        }
        return M.writeValueAsString(root);
    }
}
