package minitrain.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import minitrain.Json;
import minitrain.KitError;
import minitrain.Rng;

/**
 * Generates the corpus from the lexicon: every verb in every tense and person, both languages, split
 * by (verb, tense, person) triple so that val and dev test combinations the model never saw.
 * Deterministic: the same generator version and seed write the same bytes.
 */
public final class CorpusBuilder {

    public static final String VERSION = "1";
    public static final long SEED = 18;
    public static final double VAL_SHARE = 0.10;
    public static final double DEV_SHARE = 0.05;
    public static final int SHARDS = 4;

    private CorpusBuilder() {}

    /** All records of the corpus, in lexicon order, before splitting (split = TRAIN). */
    public static List<Record> generate(List<Verb> verbs) {
        List<Record> out = new ArrayList<>();
        for (int n = 0; n < verbs.size(); n++) {
            Verb v = verbs.get(n);
            boolean she = n % 2 == 1; // third person alternates he/she by verb, the same on both sides
            for (Tense t : Tense.values()) {
                boolean progressive = t == Tense.PRESENT_PROGRESSIVE || t == Tense.PAST_PROGRESSIVE;
                if (progressive && v.stative()) continue;
                for (Person p : Person.values()) {
                    String en = EnglishConjugator.pronoun(p, she) + " " + EnglishConjugator.conjugate(v, t, p);
                    String es = SpanishConjugator.pronoun(p, she) + " " + SpanishConjugator.conjugate(v, t, p);
                    String id = v.en().replace(' ', '_') + "." + t.key() + "." + p.key();
                    out.add(new Record(id, v.en(), v.es(), t, p, en, es, en + Record.ARROW + es, Split.TRAIN));
                }
            }
        }
        return out;
    }

    /**
     * Assigns val (about 10%) and dev (about 5%) by shuffling triples with the kit's RNG, then gives back
     * to train any triple whose verb, tense or person would otherwise be missing from train.
     */
    public static List<Record> split(List<Record> records, long seed) {
        int n = records.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        new Rng(seed).shuffle(order);
        Split[] split = new Split[n];
        int nVal = (int) Math.round(n * VAL_SHARE), nDev = (int) Math.round(n * DEV_SHARE);
        for (int k = 0; k < n; k++) split[order[k]] = k < nVal ? Split.VAL : k < nVal + nDev ? Split.DEV : Split.TRAIN;
        Set<String> trainVerbs = new HashSet<>();
        Set<Tense> trainTenses = EnumSet.noneOf(Tense.class);
        Set<Person> trainPersons = EnumSet.noneOf(Person.class);
        for (int i = 0; i < n; i++) {
            if (split[i] != Split.TRAIN) continue;
            Record r = records.get(i);
            trainVerbs.add(r.verb());
            trainTenses.add(r.tense());
            trainPersons.add(r.person());
        }
        for (int k = 0; k < n; k++) { // in shuffled order, so the repair is as random as the split
            int i = order[k];
            Record r = records.get(i);
            if (split[i] != Split.TRAIN && (!trainVerbs.contains(r.verb()) || !trainTenses.contains(r.tense())
                    || !trainPersons.contains(r.person()))) {
                split[i] = Split.TRAIN;
                trainVerbs.add(r.verb());
                trainTenses.add(r.tense());
                trainPersons.add(r.person());
            }
        }
        List<Record> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Record r = records.get(i);
            out.add(new Record(r.id(), r.verb(), r.verbEs(), r.tense(), r.person(), r.en(), r.es(), r.text(),
                    split[i]));
        }
        return out;
    }

    /** One JSONL line; keys sorted by the shared mapper. */
    public static String line(Record r) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("id", r.id());
        o.put("verb", r.verb());
        o.put("verb_es", r.verbEs());
        o.put("tense", r.tense().key());
        o.put("person", r.person().key());
        o.put("en", r.en());
        o.put("es", r.es());
        o.put("text", r.text());
        o.put("split", r.split().key());
        return Json.compact(o);
    }

    /** Writes shards/, vocab.json and MANIFEST.json into {@code dir}; returns the manifest as written. */
    public static Map<String, Object> build(Path dir) {
        List<Verb> verbs = Lexicon.load();
        List<Record> records = split(generate(verbs), SEED);
        try {
            Path shards = dir.resolve("shards");
            Files.createDirectories(shards);
            List<Map<String, Object>> shardInfo = new ArrayList<>();
            int perShard = (verbs.size() + SHARDS - 1) / SHARDS;
            for (int s = 0; s < SHARDS; s++) {
                Set<String> shardVerbs = new HashSet<>();
                int shardEnd = Math.min(verbs.size(), (s + 1) * perShard);
                for (int n = s * perShard; n < shardEnd; n++) shardVerbs.add(verbs.get(n).en());
                StringBuilder sb = new StringBuilder();
                int count = 0;
                for (Record r : records) {
                    if (shardVerbs.contains(r.verb())) {
                        sb.append(line(r)).append('\n');
                        count++;
                    }
                }
                byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                String name = String.format("verbs-%02d.jsonl", s);
                Files.write(shards.resolve(name), bytes);
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("file", "shards/" + name);
                info.put("records", count);
                info.put("sha256", Corpus.sha256(bytes));
                shardInfo.add(info);
            }
            List<String> trainTexts = new ArrayList<>();
            Map<String, Integer> splitCounts = new LinkedHashMap<>();
            for (Split s : Split.values()) splitCounts.put(s.key(), 0);
            for (Record r : records) {
                splitCounts.merge(r.split().key(), 1, Integer::sum);
                if (r.split() == Split.TRAIN) trainTexts.add(r.text());
            }
            Vocab vocab = Vocab.fromTexts(trainTexts);
            vocab.write(dir.resolve("vocab.json"));
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("generator", "minitrain.corpus.CorpusBuilder");
            manifest.put("generator_version", VERSION);
            manifest.put("seed", SEED);
            manifest.put("verbs", verbs.size());
            manifest.put("tenses", Tense.values().length);
            manifest.put("persons", Person.values().length);
            manifest.put("records", records.size());
            manifest.put("splits", splitCounts);
            manifest.put("shards", shardInfo);
            manifest.put("vocab", Map.of("file", "vocab.json", "size", vocab.size(),
                    "sha256", Corpus.sha256(dir.resolve("vocab.json"))));
            manifest.put("text_format", "<english>" + Record.ARROW + "<spanish>");
            Files.writeString(dir.resolve("MANIFEST.json"), Json.pretty(manifest));
            return manifest;
        } catch (IOException e) {
            throw KitError.in(dir, "cannot write the corpus: " + e.getMessage());
        }
    }

    /** Counts by split, for the card and the tests. */
    public static Map<Split, Integer> counts(List<Record> records) {
        Map<Split, Integer> m = new EnumMap<>(Split.class);
        for (Record r : records) m.merge(r.split(), 1, Integer::sum);
        return m;
    }
}
