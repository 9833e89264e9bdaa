package minitrain.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import minitrain.Json;
import minitrain.KitError;

/**
 * The character vocabulary: three named special tokens, then every character (Unicode code point) of
 * the training text in code-point order. A token's id is its index in {@link #tokens()}.
 */
public final class Vocab {

    public static final String PAD = "<pad>";
    public static final String BOS = "<bos>";
    public static final String EOS = "<eos>";

    private final List<String> tokens;
    private final Map<Integer, Integer> idOfCodePoint = new HashMap<>();
    public final int padId;
    public final int bosId;
    public final int eosId;

    public Vocab(List<String> tokens) {
        this.tokens = List.copyOf(tokens);
        this.padId = this.tokens.indexOf(PAD);
        this.bosId = this.tokens.indexOf(BOS);
        this.eosId = this.tokens.indexOf(EOS);
        if (padId < 0 || bosId < 0 || eosId < 0) {
            throw new KitError("vocabulary lacks one of " + PAD + ", " + BOS + ", " + EOS);
        }
        for (int id = 0; id < this.tokens.size(); id++) {
            String t = this.tokens.get(id);
            if (t.equals(PAD) || t.equals(BOS) || t.equals(EOS)) continue;
            if (t.codePointCount(0, t.length()) != 1) {
                throw new KitError("vocabulary token " + id + " is not one character: " + t);
            }
            if (idOfCodePoint.put(t.codePointAt(0), id) != null) {
                throw new KitError("vocabulary token " + id + " appears twice: " + t);
            }
        }
    }

    /** Specials first (pad 0, bos 1, eos 2), then the characters of {@code texts} in code-point order. */
    public static Vocab fromTexts(Iterable<String> texts) {
        TreeSet<Integer> chars = new TreeSet<>();
        for (String text : texts) text.codePoints().forEach(chars::add);
        List<String> tokens = new ArrayList<>(List.of(PAD, BOS, EOS));
        for (int cp : chars) tokens.add(new String(Character.toChars(cp)));
        return new Vocab(tokens);
    }

    public List<String> tokens() {
        return Collections.unmodifiableList(tokens);
    }

    public int size() {
        return tokens.size();
    }

    public boolean contains(int codePoint) {
        return idOfCodePoint.containsKey(codePoint);
    }

    /** The characters of {@code text} as ids; a character outside the vocabulary is an error. */
    public int[] encode(String text) {
        return text.codePoints().map(cp -> {
            Integer id = idOfCodePoint.get(cp);
            if (id == null) throw new KitError("character " + new String(Character.toChars(cp))
                    + " (U+" + String.format("%04X", cp) + ") is not in the vocabulary");
            return id;
        }).toArray();
    }

    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) sb.append(tokens.get(id));
        return sb.toString();
    }

    /** vocab.json: a JSON list of token strings, index = id. */
    public static Vocab read(Path file) {
        try {
            JsonNode node = Json.MAPPER.readTree(Files.readString(file));
            if (node == null || !node.isArray()) throw KitError.in(file, "expected a JSON list of tokens");
            List<String> tokens = new ArrayList<>();
            for (JsonNode t : node) {
                if (!t.isTextual()) throw KitError.in(file, "token " + tokens.size() + " is not a string");
                tokens.add(t.asText());
            }
            return new Vocab(tokens);
        } catch (IOException e) {
            throw KitError.in(file, "cannot read vocabulary: " + e.getMessage());
        }
    }

    public void write(Path file) {
        try {
            Files.writeString(file, Json.pretty(tokens));
        } catch (IOException e) {
            throw KitError.in(file, "cannot write vocabulary: " + e.getMessage());
        }
    }
}
