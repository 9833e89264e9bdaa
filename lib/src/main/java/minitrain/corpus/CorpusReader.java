package minitrain.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import minitrain.Json;
import minitrain.KitError;

/**
 * Reads one JSONL shard. Every malformed line is an error naming the file and the line: nothing is
 * skipped silently, because a silently dropped record changes every perplexity computed afterwards.
 */
public final class CorpusReader {

    private CorpusReader() {}

    public static List<Record> read(Path shard) {
        String text = decodeUtf8(shard);
        List<Record> records = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            // Windows line ends: the \r belongs to the line break, not to the record.
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (line.isEmpty() && i == lines.length - 1) break; // the final newline
            if (line.isBlank()) throw KitError.at(shard, i + 1, "empty line (every line must be one record)");
            records.add(parse(shard, i + 1, line));
        }
        return records;
    }

    /** Far above any shard the kit writes (kB); checked before reading, so a huge file is refused, not loaded. */
    static final long MAX_BYTES = 256L * 1024 * 1024;

    private static String decodeUtf8(Path file) {
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw KitError.in(file, size + " bytes is larger than a shard can be (" + MAX_BYTES + ")");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw KitError.in(file, "cannot read: " + e.getMessage());
        }
        // An editor's byte-order mark is invisible on screen, and JSON refuses it: say what it is.
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            throw KitError.at(file, 1,
                    "starts with a UTF-8 byte-order mark (EF BB BF): save the file as UTF-8 without BOM");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult r = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(in, out, true);
        if (r.isError()) {
            // The decoder stops at the first bad byte: name it, and its line, so the learner can open the file there.
            int bad = in.position();
            long line = 1;
            for (int i = 0; i < bad; i++) if (bytes[i] == '\n') line++;
            throw KitError.at(file, line, "invalid UTF-8 at byte " + bad);
        }
        return out.flip().toString();
    }

    static Record parse(Path file, long lineNo, String line) {
        JsonNode o;
        try {
            // Strict: two records pasted on one line, or a repeated key, would otherwise lose data silently.
            o = Json.STRICT.readTree(line);
        } catch (IOException e) {
            throw KitError.at(file, lineNo, "bad JSON: " + firstLine(e.getMessage()));
        }
        if (o == null || !o.isObject()) throw KitError.at(file, lineNo, "expected a JSON object");
        String tenseKey = field(file, lineNo, o, "tense");
        Tense tense = Tense.fromKey(tenseKey);
        if (tense == null) throw KitError.at(file, lineNo, "unknown tense " + Json.quote(tenseKey));
        String personKey = field(file, lineNo, o, "person");
        Person person = Person.fromKey(personKey);
        if (person == null) throw KitError.at(file, lineNo, "unknown person " + Json.quote(personKey));
        String splitKey = field(file, lineNo, o, "split");
        Split split = Split.fromKey(splitKey);
        if (split == null) throw KitError.at(file, lineNo, "unknown split " + Json.quote(splitKey));
        return new Record(field(file, lineNo, o, "id"), field(file, lineNo, o, "verb"),
                field(file, lineNo, o, "verb_es"), tense, person, field(file, lineNo, o, "en"),
                field(file, lineNo, o, "es"), field(file, lineNo, o, "text"), split);
    }

    private static String field(Path file, long lineNo, JsonNode o, String name) {
        JsonNode v = o.get(name);
        if (v == null) throw KitError.at(file, lineNo, "missing field \"" + name + "\"");
        if (!v.isTextual()) throw KitError.at(file, lineNo, "field \"" + name + "\" is not a string");
        return v.asText();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
