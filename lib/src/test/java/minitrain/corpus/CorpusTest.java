package minitrain.corpus;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import minitrain.Json;
import minitrain.KitError;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed corpus: its splits, vocabulary, size, and that the generator rebuilds it byte for byte. */
class CorpusTest {

    static final Path COMMITTED = Path.of("..", "corpus").toAbsolutePath().normalize();
    static Corpus corpus;

    @BeforeAll
    static void load() {
        corpus = Corpus.load(COMMITTED);
    }

    @Test
    void rebuildIsByteIdentical(@TempDir Path tmp) throws IOException {
        CorpusBuilder.build(tmp);
        JsonNode manifest = Json.MAPPER.readTree(Files.readString(COMMITTED.resolve("MANIFEST.json")));
        for (JsonNode shard : manifest.get("shards")) {
            String file = shard.get("file").asText();
            assertEquals(shard.get("sha256").asText(), Corpus.sha256(tmp.resolve(file)), file);
            assertEquals(shard.get("sha256").asText(), Corpus.sha256(COMMITTED.resolve(file)), "committed " + file);
        }
        assertEquals(Corpus.sha256(COMMITTED.resolve("vocab.json")), Corpus.sha256(tmp.resolve("vocab.json")));
        assertEquals(Corpus.sha256(COMMITTED.resolve("MANIFEST.json")), Corpus.sha256(tmp.resolve("MANIFEST.json")));
    }

    @Test
    void splitsAreHeldOutByTripleAndTrainSeesEverything() {
        Map<String, Split> splitOfTriple = new HashMap<>();
        Set<String> trainVerbs = new HashSet<>();
        Set<Tense> trainTenses = new HashSet<>();
        Set<Person> trainPersons = new HashSet<>();
        int total = 0;
        for (Split s : Split.values()) {
            for (Record r : corpus.records(s)) {
                total++;
                Split before = splitOfTriple.putIfAbsent(r.triple(), s);
                assertTrue(before == null || before == s, "triple in two splits: " + r.triple());
                if (s == Split.TRAIN) {
                    trainVerbs.add(r.verb());
                    trainTenses.add(r.tense());
                    trainPersons.add(r.person());
                }
            }
        }
        Set<String> allVerbs = new HashSet<>();
        for (Split s : Split.values()) for (Record r : corpus.records(s)) allVerbs.add(r.verb());
        assertEquals(allVerbs, trainVerbs);
        assertEquals(Set.of(Tense.values()), trainTenses);
        assertEquals(Set.of(Person.values()), trainPersons);
        double val = corpus.records(Split.VAL).size() / (double) total;
        double dev = corpus.records(Split.DEV).size() / (double) total;
        assertEquals(0.10, val, 0.01);
        assertEquals(0.05, dev, 0.01);
    }

    @Test
    void vocabularyCoversDevAndVal() {
        Vocab v = corpus.vocab();
        assertEquals(List.of("<pad>", "<bos>", "<eos>"), v.tokens().subList(0, 3));
        for (Split s : Split.values()) {
            for (Record r : corpus.records(s)) {
                r.text().codePoints().forEach(cp -> assertTrue(v.contains(cp),
                        r.id() + " has a character outside the vocabulary: " + Character.toString(cp)));
            }
        }
    }

    @Test
    void textHoldsBothSidesAndRealUtf8() {
        boolean accents = false, enye = false;
        for (Record r : corpus.records(Split.TRAIN)) {
            assertEquals(r.en() + " → " + r.es(), r.text());
            accents |= r.es().matches(".*[áéíóú].*");
            enye |= r.es().contains("ñ");
        }
        assertTrue(accents && enye);
    }

    @Test
    void corpusIsSmall() throws IOException {
        long bytes;
        try (Stream<Path> files = Files.walk(COMMITTED)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(bytes < 5_000_000, "corpus is " + bytes + " bytes");
    }

    // ---- the reader refuses bad lines with file and line ---------------------------------------------

    static final String GOOD = "{\"id\":\"walk.present.1sg\",\"verb\":\"walk\",\"verb_es\":\"caminar\","
            + "\"tense\":\"present\",\"person\":\"1sg\",\"en\":\"I walk\",\"es\":\"yo camino\","
            + "\"text\":\"I walk → yo camino\",\"split\":\"train\"}";

    static String readError(Path tmp, byte[] content) throws IOException {
        Path f = tmp.resolve("bad.jsonl");
        Files.write(f, content);
        KitError e = assertThrows(KitError.class, () -> CorpusReader.read(f));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    static String readError(Path tmp, String secondLine) throws IOException {
        return readError(tmp, (GOOD + "\n" + secondLine + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void goodLineReads(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("ok.jsonl");
        Files.writeString(f, GOOD + "\n");
        assertEquals("I walk → yo camino", CorpusReader.read(f).get(0).text());
    }

    @Test
    void badJsonNamesFileAndLine(@TempDir Path tmp) throws IOException {
        String m = readError(tmp, "{\"id\": ");
        assertTrue(m.contains("bad.jsonl:2: bad JSON"), m);
    }

    @Test
    void missingFieldIsNamed(@TempDir Path tmp) throws IOException {
        String m = readError(tmp, GOOD.replace("\"verb_es\":\"caminar\",", ""));
        assertTrue(m.endsWith("bad.jsonl:2: missing field \"verb_es\""), m);
    }

    @Test
    void unknownTensePersonSplit(@TempDir Path tmp) throws IOException {
        assertTrue(readError(tmp, GOOD.replace("\"present\"", "\"pluperfect\""))
                .endsWith(":2: unknown tense \"pluperfect\""));
        assertTrue(readError(tmp, GOOD.replace("\"1sg\"", "\"4sg\"")).endsWith(":2: unknown person \"4sg\""));
        assertTrue(readError(tmp, GOOD.replace("\"train\"", "\"test\"")).endsWith(":2: unknown split \"test\""));
    }

    @Test
    void invalidUtf8NamesTheLine(@TempDir Path tmp) throws IOException {
        byte[] good = (GOOD + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[good.length * 2];
        System.arraycopy(good, 0, bad, 0, good.length);
        System.arraycopy(good, 0, bad, good.length, good.length);
        bad[good.length + 20] = (byte) 0xC3; // a lead byte followed by an ASCII byte: malformed
        bad[good.length + 21] = (byte) 0x28;
        String m = readError(tmp, bad);
        // The exact byte, not the start of its line: a learner's editor can jump straight to it.
        assertTrue(m.endsWith("bad.jsonl:2: invalid UTF-8 at byte " + (good.length + 20)), m);
    }

    @Test
    void nonStringFieldAndNonObject(@TempDir Path tmp) throws IOException {
        assertTrue(readError(tmp, GOOD.replace("\"I walk\",", "3,")).endsWith(":2: field \"en\" is not a string"));
        assertTrue(readError(tmp, "[1, 2]").endsWith(":2: expected a JSON object"));
    }

    @Test
    void blankLineIsAnErrorNotSkipped(@TempDir Path tmp) throws IOException {
        String m = readError(tmp, ("\n" + GOOD + "\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(m.contains("bad.jsonl:1:"), m);
    }

    @Test
    void duplicateIdAcrossShards(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("c");
        Files.createDirectories(dir.resolve("shards"));
        Files.writeString(dir.resolve("shards/a.jsonl"), GOOD + "\n");
        Files.writeString(dir.resolve("shards/b.jsonl"), GOOD + "\n");
        Files.copy(COMMITTED.resolve("vocab.json"), dir.resolve("vocab.json"));
        Files.writeString(dir.resolve("MANIFEST.json"), "{}");
        KitError e = assertThrows(KitError.class, () -> Corpus.load(dir));
        assertTrue(e.getMessage().contains("b.jsonl:1: duplicate id \"walk.present.1sg\""), e.getMessage());
    }
}
