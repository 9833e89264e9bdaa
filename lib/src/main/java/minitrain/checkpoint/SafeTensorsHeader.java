package minitrain.checkpoint;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import minitrain.Json;
import minitrain.KitError;

/**
 * The JSON header of a safetensors file, read by the rules of the reference reader (the Rust {@code safetensors}
 * crate behind Python's {@code safetensors}, which parses with serde_json), so that a file one accepts the other
 * accepts. A general JSON library differs in small ways that decide accept or reject, so the rules are written
 * out here, each where it applies:
 * <ul>
 * <li>JSON itself: no BOM, whitespace is only space, tab, CR and LF, nothing but whitespace after the object,
 *     strings must be valid Unicode after unescaping (an escaped unpaired surrogate such as {@code "\ud800"} is
 *     refused), at most 127 nested lists and objects, and a number whose value as a double is infinite is refused
 *     (computed as serde_json computes it, so 1.7976931348623158e308 is refused although it rounds to
 *     Double.MAX_VALUE).</li>
 * <li>Types: a dimension or an offset is a JSON integer from 0 to 2^64 - 1 written without fraction or
 *     exponent; {@code -0}, {@code 2.0} and {@code 2e0} are floats to serde_json and refused.</li>
 * <li>Repeats: a repeated tensor name or metadata key keeps the last value (a map); a repeated
 *     {@code __metadata__}, {@code dtype}, {@code shape} or {@code data_offsets} is refused (struct fields).</li>
 * <li>Leniencies of serde's derived readers, accepted because the reference accepts them: other keys in a tensor
 *     entry are ignored (but must still be valid JSON), {@code "__metadata__": null} means no metadata, a tensor
 *     entry may be the list {@code [dtype, shape, data_offsets]}, and a dtype may be written {@code {"F32": null}}.
 *     </li>
 * </ul>
 * Values the reference ignores are checked and skipped, never stored, so a hostile header costs no memory
 * beyond what the file's own tensors and metadata need.
 */
final class SafeTensorsHeader {

    /** serde_json counts 128 levels down and refuses the container that reaches 0: 127 levels are allowed. */
    static final int MAX_DEPTH = 127;

    /** The kit's own limit (the reference has none): more dimensions than this are refused, bounding memory. */
    static final int MAX_RANK = 65_536;

    /** Every dtype the reference knows, with its size in bits (the kit stores only some of them). */
    static final Map<String, Integer> REFERENCE_DTYPES = Map.ofEntries(
            Map.entry("BOOL", 8), Map.entry("F4", 4), Map.entry("F6_E2M3", 6), Map.entry("F6_E3M2", 6),
            Map.entry("U8", 8), Map.entry("I8", 8), Map.entry("F8_E5M2", 8), Map.entry("F8_E4M3", 8),
            Map.entry("F8_E8M0", 8), Map.entry("F8_E4M3FNUZ", 8), Map.entry("F8_E5M2FNUZ", 8),
            Map.entry("I16", 16), Map.entry("U16", 16), Map.entry("F16", 16), Map.entry("BF16", 16),
            Map.entry("I32", 32), Map.entry("U32", 32), Map.entry("F32", 32), Map.entry("C64", 64),
            Map.entry("F64", 64), Map.entry("I64", 64), Map.entry("U64", 64));

    /** The header as the reference reads it: tensors by name (last repeat wins) and the string metadata. */
    record Parsed(Map<String, SafeTensors.Entry> entries, Map<String, String> metadata) {}

    private final byte[] in;
    private final String source;
    private int pos;
    private int depth;

    private SafeTensorsHeader(byte[] in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Parses the header's bytes; {@code source} names the file in errors. Offsets and dimensions are unsigned. */
    static Parsed parse(byte[] json, String source) {
        requireUtf8(json, source);
        return new SafeTensorsHeader(json, source).header();
    }

    /** UTF-8 checked in small pieces: a 100 MB header is not decoded into a second copy just to be checked. */
    private static void requireUtf8(byte[] json, String source) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.wrap(json);
        CharBuffer scratch = CharBuffer.allocate(8192);
        while (true) {
            CoderResult r = utf8.decode(bytes, scratch, true);
            if (r.isError()) {
                int at = bytes.position();
                throw new KitError(source + ": header is not valid UTF-8 (at byte " + at + " of the header)");
            }
            if (r.isUnderflow()) break;
            scratch.clear();
        }
    }

    // ---- the reference's types: HashMetadata, TensorInfo, Dtype -----------------------------------

    private Parsed header() {
        if (in.length >= 3 && (in[0] & 0xFF) == 0xEF && (in[1] & 0xFF) == 0xBB && (in[2] & 0xFF) == 0xBF) {
            throw syntaxAt(0, "a byte order mark (BOM), which JSON does not allow");
        }
        whitespace();
        if (pos >= in.length || in[pos] != '{') throw new KitError(source + ": header is not a JSON object");
        Map<String, SafeTensors.Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        boolean[] sawMetadata = {false};
        object((key, keyAt) -> {
            if (key.equals("__metadata__")) {
                if (sawMetadata[0]) throw typed(keyAt, "__metadata__ appears twice");
                sawMetadata[0] = true;
                metadata(metadata);
            } else {
                entries.put(key, entry(key)); // a repeated name replaces the earlier entry, as in a map
            }
        });
        whitespace();
        if (pos < in.length) throw syntax("text after the header's object (only spaces, tabs and newlines may follow)");
        return new Parsed(entries, metadata);
    }

    /** {@code null} (no metadata) or an object of strings; a repeated key keeps its last value. */
    private void metadata(Map<String, String> into) {
        value();
        if (peek() == 'n') {
            literal("null");
            return;
        }
        if (peek() != '{') throw typed(pos, "__metadata__ is not an object");
        object((key, keyAt) -> {
            value();
            if (peek() != '"') throw typed(pos, "metadata value of " + Json.quote(key) + " is not a string");
            into.put(key, string(true));
        });
    }

    private SafeTensors.Entry entry(String name) {
        String where = "tensor " + Json.quote(name) + ": ";
        value();
        String[] dtype = {null};
        long[][] shape = {null};
        long[][] offsets = {null};
        if (peek() == '{') {
            object((key, keyAt) -> {
                switch (key) {
                    case "dtype" -> dtype[0] = once(dtype[0], keyAt, where + "dtype", dtype(where));
                    case "shape" -> shape[0] = once(shape[0], keyAt, where + "shape", shape(where));
                    case "data_offsets" -> offsets[0] = once(offsets[0], keyAt, where + "data_offsets", offsets(where));
                    default -> skipValue(); // the reference ignores other keys, once they parse as JSON
                }
            });
        } else if (peek() == '[') {
            String three = where + "an entry written as a list has 3 items: dtype, shape, data_offsets";
            int[] items = {0};
            array(i -> {
                switch (i) {
                    case 0 -> dtype[0] = dtype(where);
                    case 1 -> shape[0] = shape(where);
                    case 2 -> offsets[0] = offsets(where);
                    default -> throw typed(pos, three);
                }
                items[0]++;
            });
            if (items[0] != 3) throw typed(pos, three);
        } else {
            throw typed(pos, where + "header entry is not an object");
        }
        if (dtype[0] == null || shape[0] == null || offsets[0] == null) {
            throw typed(pos, where + "needs dtype, shape and data_offsets");
        }
        return new SafeTensors.Entry(dtype[0], shape[0], offsets[0][0], offsets[0][1]);
    }

    private <T> T once(T earlier, int keyAt, String field, T value) {
        if (earlier != null) throw typed(keyAt, field + " appears twice");
        return value;
    }

    /** A dtype name, or serde's other spelling of an enum's unit variant: {@code {"F32": null}}. */
    private String dtype(String where) {
        value();
        if (peek() == '"') {
            int at = pos;
            String name = string(true);
            if (!REFERENCE_DTYPES.containsKey(name)) throw typed(at, where + "unknown dtype " + Json.quote(name));
            return name;
        }
        if (peek() != '{') throw typed(pos, where + "dtype is not a string");
        String[] name = {null};
        object((key, keyAt) -> {
            if (name[0] != null) throw typed(keyAt, where + "a dtype written as an object has exactly one key");
            if (!REFERENCE_DTYPES.containsKey(key)) throw typed(keyAt, where + "unknown dtype " + Json.quote(key));
            value();
            if (peek() != 'n') throw typed(pos, where + "a dtype written as an object must have the value null");
            literal("null");
            name[0] = key;
        });
        if (name[0] == null) throw typed(pos, where + "a dtype written as an object has exactly one key");
        return name[0];
    }

    private long[] shape(String where) {
        value();
        if (peek() != '[') throw typed(pos, where + "shape is not a list");
        long[][] dims = {new long[4]};
        int[] rank = {0};
        array(i -> {
            if (i >= MAX_RANK) {
                throw typed(pos, where + "shape has more than " + MAX_RANK + " dimensions, more than this kit holds");
            }
            if (i == dims[0].length) dims[0] = Arrays.copyOf(dims[0], 2 * i);
            dims[0][i] = unsigned(where, "dimension");
            rank[0]++;
        });
        return Arrays.copyOf(dims[0], rank[0]);
    }

    private long[] offsets(String where) {
        value();
        if (peek() != '[') throw typed(pos, where + "data_offsets must be two integers");
        long[] range = new long[2];
        int[] count = {0};
        array(i -> {
            if (i >= 2) throw typed(pos, where + "data_offsets must be two integers");
            range[i] = unsigned(where + "data_offsets: ", "offset");
            count[0]++;
        });
        if (count[0] != 2) throw typed(pos, where + "data_offsets must be two integers");
        return range;
    }

    /** A JSON integer 0..2^64-1 (serde_json's u64), returned as the same 64 bits in a long. */
    private long unsigned(String where, String what) {
        value();
        int at = pos;
        byte c = peek();
        if ((c == '-' || isDigit(c)) && number() == Kind.U64) return lastU64;
        throw typed(at, where + "bad " + what + " " + snippet(at)
                + " (an integer from 0 to 2^64 - 1, without fraction or exponent, is expected)");
    }

    /** A few bytes of the header from {@code at}, for an error message (kept on one line). */
    private String snippet(int at) {
        int end = at;
        while (end < in.length && end < at + 24 && in[end] != ',' && in[end] != ']' && in[end] != '}') end++;
        String text = new String(in, at, end - at, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}", "?");
        return text.isEmpty() ? "(nothing)" : text + (end == at + 24 ? "..." : "");
    }

    // ---- JSON, as serde_json reads it ----------------------------------------------------------------

    private interface Member {
        void value(String key, int keyAt);
    }

    private interface Item {
        void value(int index);
    }

    /** An object at {@code pos}; {@code member} reads each value. */
    private void object(Member member) {
        enter();
        pos++;
        whitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return;
        }
        while (true) {
            if (pos >= in.length) throw syntax("the header ends inside an object");
            if (in[pos] != '"') throw syntax("expected a key in double quotes");
            int keyAt = pos;
            String key = string(true);
            whitespace();
            if (pos >= in.length) throw syntax("the header ends inside an object");
            if (in[pos] != ':') throw syntax("expected ':' after a key");
            pos++;
            member.value(key, keyAt);
            whitespace();
            if (pos >= in.length) throw syntax("the header ends inside an object");
            if (in[pos] == '}') break;
            if (in[pos] != ',') throw syntax("expected ',' or '}'");
            pos++;
            whitespace();
            if (peek() == '}') throw syntax("a comma before '}'");
        }
        pos++;
        depth--;
    }

    /** A list at {@code pos}; {@code item} reads each value. */
    private void array(Item item) {
        enter();
        pos++;
        whitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return;
        }
        for (int i = 0; ; i++) {
            item.value(i);
            whitespace();
            if (pos >= in.length) throw syntax("the header ends inside a list");
            if (in[pos] == ']') break;
            if (in[pos] != ',') throw syntax("expected ',' or ']'");
            pos++;
            whitespace();
            if (peek() == ']') throw syntax("a comma before ']'");
        }
        pos++;
        depth--;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) throw syntax("lists and objects nested more than " + MAX_DEPTH + " deep");
    }

    /** Skips whitespace up to a value; the end of the header there is a JSON error, whatever type was expected. */
    private void value() {
        whitespace();
        if (pos >= in.length) throw syntax("the header ends where a value should be");
    }

    /** Checks one value of any type and stores nothing. */
    private void skipValue() {
        value();
        switch (in[pos]) {
            case 'n' -> literal("null");
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case '"' -> string(false);
            case '[' -> array(i -> skipValue());
            case '{' -> object((key, keyAt) -> skipValue());
            default -> {
                if (in[pos] != '-' && (in[pos] < '0' || in[pos] > '9')) throw syntax("expected a value");
                number();
            }
        }
    }

    private void literal(String word) {
        for (int i = 0; i < word.length(); i++, pos++) {
            if (pos >= in.length) throw syntax("the header ends inside " + word);
            if (in[pos] != word.charAt(i)) throw syntax("expected " + word);
        }
    }

    /** Space, tab, LF and CR only: a form feed, a no-break space or a BOM is not JSON whitespace. */
    private void whitespace() {
        while (pos < in.length && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) pos++;
    }

    private byte peek() {
        return pos < in.length ? in[pos] : 0; // 0 stands for the end, as serde_json's peek_or_null
    }

    /** A string at {@code pos}, unescaped; {@code keep} false checks it without building it. */
    private String string(boolean keep) {
        pos++;
        StringBuilder out = keep ? new StringBuilder() : null;
        int run = pos; // start of the bytes not yet copied: the header is valid UTF-8, so a run decodes whole
        while (true) {
            if (pos >= in.length) throw syntax("the header ends inside a string");
            byte b = in[pos];
            if (b == '"') {
                if (keep) out.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
                pos++;
                return keep ? out.toString() : null;
            }
            if (b == '\\') {
                if (keep) out.append(new String(in, run, pos - run, StandardCharsets.UTF_8));
                pos++;
                escape(out);
                run = pos;
            } else if (b >= 0 && b < 0x20) {
                throw syntax("a control character (code " + b + ") inside a string; it must be escaped");
            } else {
                pos++;
            }
        }
    }

    /** After a backslash. \\uXXXX must make valid Unicode: a surrogate only as a high-low pair. */
    private void escape(StringBuilder out) {
        if (pos >= in.length) throw syntax("the header ends inside a string");
        byte c = in[pos++];
        char plain = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '/' -> '/';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> 0;
            // The byte is named by its code: a raw newline or control byte must not break the one-line error.
            default -> throw syntaxAt(pos - 1, String.format("invalid escape: backslash before byte 0x%02x", c & 0xFF));
        };
        if (c != 'u') {
            if (out != null) out.append(plain);
            return;
        }
        int escapeAt = pos - 2;
        char high = hex4();
        if (!Character.isSurrogate(high)) {
            if (out != null) out.append(high);
            return;
        }
        if (Character.isHighSurrogate(high) && peek() == '\\' && pos + 1 < in.length && in[pos + 1] == 'u') {
            pos += 2;
            char low = hex4();
            if (Character.isLowSurrogate(low)) {
                if (out != null) out.append(high).append(low);
                return;
            }
        }
        throw syntaxAt(escapeAt, String.format("\\u%04x is half of a surrogate pair without its other half:"
                + " the string is not valid Unicode", (int) high));
    }

    private char hex4() {
        int v = 0;
        for (int i = 0; i < 4; i++, pos++) {
            if (pos >= in.length) throw syntax("the header ends inside a string");
            int d = Character.digit(in[pos], 16); // a byte: only 0-9, a-f and A-F are hex digits
            if (d < 0) throw syntax("invalid \\u escape: four hex digits are expected");
            v = v * 16 + d;
        }
        return (char) v;
    }

    // ---- numbers: serde_json's parser without float_roundtrip, step for step ---------------------------

    private enum Kind { U64, I64, F64 }

    /** The value of the last number whose kind was U64, as unsigned 64 bits. */
    private long lastU64;

    private static final long U64_MAX_DIV_10 = Long.divideUnsigned(-1L, 10); // 1844674407370955161, remainder 5
    private static final double[] POW10 = new double[309];

    static {
        for (int i = 0; i < POW10.length; i++) POW10[i] = Double.parseDouble("1e" + i); // exactly Rust's literals
    }

    /** The number at {@code pos}, checked; returns the kind serde_json gives it. */
    private Kind number() {
        boolean positive = true;
        if (in[pos] == '-') {
            pos++;
            positive = false;
        }
        if (pos >= in.length) throw syntax("the header ends inside a number");
        byte first = in[pos++];
        if (first == '0') {
            if (isDigit(peek())) throw syntax("a number with a leading zero");
            return afterDigits(positive, 0);
        }
        if (first < '1' || first > '9') throw syntaxAt(pos - 1, "invalid number");
        long significand = first - '0';
        while (isDigit(peek())) {
            int digit = in[pos] - '0';
            if (overflowsU64(significand, digit)) {
                longInteger(positive, significand);
                return Kind.F64;
            }
            pos++;
            significand = significand * 10 + digit;
        }
        return afterDigits(positive, significand);
    }

    /** serde_json's parse_number: a fraction or exponent makes a float; -0 is a float too. */
    private Kind afterDigits(boolean positive, long significand) {
        byte c = peek();
        if (c == '.') {
            decimal(positive, significand, 0);
            return Kind.F64;
        }
        if (c == 'e' || c == 'E') {
            exponent(positive, significand, 0);
            return Kind.F64;
        }
        if (positive) {
            lastU64 = significand;
            return Kind.U64;
        }
        return -significand >= 0 ? Kind.F64 : Kind.I64; // -0, and anything below i64::MIN, are floats
    }

    private void decimal(boolean positive, long significand, int exponentBefore) {
        pos++;
        int exponentAfter = 0;
        while (isDigit(peek())) {
            int digit = in[pos] - '0';
            if (overflowsU64(significand, digit)) {
                decimalOverflow(positive, significand, exponentBefore + exponentAfter);
                return;
            }
            pos++;
            significand = significand * 10 + digit;
            exponentAfter--;
        }
        if (exponentAfter == 0) throw syntax("a decimal point without a digit after it");
        byte c = peek();
        if (c == 'e' || c == 'E') exponent(positive, significand, exponentBefore + exponentAfter);
        else fromParts(significand, exponentBefore + exponentAfter);
    }

    private void decimalOverflow(boolean positive, long significand, int exponent) {
        while (isDigit(peek())) pos++; // digits past u64's precision are dropped
        byte c = peek();
        if (c == 'e' || c == 'E') exponent(positive, significand, exponent);
        else fromParts(significand, exponent);
    }

    private void longInteger(boolean positive, long significand) {
        int exponent = 0;
        while (isDigit(peek())) {
            pos++;
            exponent++;
        }
        byte c = peek();
        if (c == '.') decimal(positive, significand, exponent);
        else if (c == 'e' || c == 'E') exponent(positive, significand, exponent);
        else fromParts(significand, exponent);
    }

    private void exponent(boolean positive, long significand, int startingExponent) {
        pos++;
        boolean positiveExponent = true;
        if (peek() == '+') {
            pos++;
        } else if (peek() == '-') {
            pos++;
            positiveExponent = false;
        }
        if (pos >= in.length) throw syntax("the header ends inside a number");
        if (!isDigit(in[pos])) throw syntax("an exponent without digits");
        int exp = in[pos++] - '0';
        while (isDigit(peek())) {
            int digit = in[pos++] - '0';
            if (exp >= 214748364 && (exp > 214748364 || digit > 7)) { // exp * 10 + digit would pass i32::MAX
                if (significand != 0 && positiveExponent) throw syntax("a number too large for a double");
                while (isDigit(peek())) pos++;
                return; // +-0.0
            }
            exp = exp * 10 + digit;
        }
        long sum = positiveExponent ? (long) startingExponent + exp : (long) startingExponent - exp;
        fromParts(significand, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, sum)));
    }

    /** serde_json's f64_from_parts: the significand times powers of ten; infinity is an error. */
    private void fromParts(long significand, int exponent) {
        double f = unsignedToDouble(significand);
        while (true) {
            int abs = exponent == Integer.MIN_VALUE ? -1 : Math.abs(exponent);
            if (abs >= 0 && abs < POW10.length) {
                if (exponent >= 0) {
                    f *= POW10[abs];
                    if (Double.isInfinite(f)) throw syntax("a number too large for a double");
                } else {
                    f /= POW10[abs];
                }
                return;
            }
            if (f == 0.0) return;
            if (exponent >= 0) throw syntax("a number too large for a double");
            f /= 1e308;
            exponent += 308;
        }
    }

    private static boolean overflowsU64(long significand, int digit) {
        int c = Long.compareUnsigned(significand, U64_MAX_DIV_10);
        return c >= 0 && (c > 0 || digit > 5);
    }

    /** Rust's {@code u64 as f64}: rounded to nearest, ties to even. */
    private static double unsignedToDouble(long u) {
        return u >= 0 ? (double) u : ((double) ((u >>> 1) | (u & 1))) * 2.0;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    // ---- errors: one line, the file and the byte -------------------------------------------------------

    private KitError syntax(String problem) {
        return syntaxAt(pos, problem);
    }

    private KitError syntaxAt(int at, String problem) {
        return new KitError(source + ": header is not valid JSON at byte " + at + " of the header: " + problem);
    }

    private KitError typed(int at, String problem) {
        return new KitError(source + ": header byte " + at + ": " + problem);
    }
}
