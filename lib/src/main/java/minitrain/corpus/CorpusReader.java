package minitrain.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
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
            String line = lines[i];
            if (line.isEmpty() && i == lines.length - 1) break; // the final newline
            records.add(parse(shard, i + 1, line));
        }
        return records;
    }

    private static String decodeUtf8(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw KitError.in(file, "cannot read: " + e.getMessage());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Find the line of the first bad byte so the learner can open the file there.
            int bad = firstInvalidUtf8(bytes);
            long line = 1;
            for (int i = 0; i < bad; i++) if (bytes[i] == '\n') line++;
            throw KitError.at(file, line, "invalid UTF-8 at byte " + bad);
        }
    }

    private static int firstInvalidUtf8(byte[] b) {
        // Decode line by line: the first line that fails to decode holds the first bad byte.
        var dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT);
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '\n') {
                try {
                    dec.reset().decode(ByteBuffer.wrap(b, start, i - start));
                } catch (CharacterCodingException e) {
                    return start;
                }
                start = i + 1;
            }
        }
        return 0;
    }

    static Record parse(Path file, long lineNo, String line) {
        JsonNode o;
        try {
            o = Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw KitError.at(file, lineNo, "bad JSON: " + firstLine(e.getMessage()));
        }
        if (o == null || !o.isObject()) throw KitError.at(file, lineNo, "expected a JSON object");
        String tenseKey = field(file, lineNo, o, "tense");
        Tense tense = Tense.fromKey(tenseKey);
        if (tense == null) throw KitError.at(file, lineNo, "unknown tense \"" + tenseKey + "\"");
        String personKey = field(file, lineNo, o, "person");
        Person person = Person.fromKey(personKey);
        if (person == null) throw KitError.at(file, lineNo, "unknown person \"" + personKey + "\"");
        String splitKey = field(file, lineNo, o, "split");
        Split split = Split.fromKey(splitKey);
        if (split == null) throw KitError.at(file, lineNo, "unknown split \"" + splitKey + "\"");
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
