package minitrain.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import minitrain.KitError;

/**
 * The corpus as the rest of the kit sees it: the records of each split, the vocabulary, and the
 * sha256 of MANIFEST.json, which identifies the corpus in every model manifest and baseline.
 */
public final class Corpus {

    private final Map<Split, List<Record>> bySplit;
    private final Vocab vocab;
    private final String sha256;

    private Corpus(Map<Split, List<Record>> bySplit, Vocab vocab, String sha256) {
        this.bySplit = bySplit;
        this.vocab = vocab;
        this.sha256 = sha256;
    }

    /** Reads {@code dir/shards/*.jsonl} (in name order), {@code dir/vocab.json} and {@code dir/MANIFEST.json}. */
    public static Corpus load(Path dir) {
        Path shards = dir.resolve("shards");
        List<Path> files;
        try (Stream<Path> s = Files.list(shards)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw KitError.in(shards, "cannot list corpus shards: " + e.getMessage());
        }
        if (files.isEmpty()) throw KitError.in(shards, "no .jsonl shards");
        Map<Split, List<Record>> bySplit = new EnumMap<>(Split.class);
        for (Split s : Split.values()) bySplit.put(s, new ArrayList<>());
        Map<String, Path> seenIds = new HashMap<>();
        for (Path f : files) {
            List<Record> records = CorpusReader.read(f);
            for (int i = 0; i < records.size(); i++) {
                Record r = records.get(i);
                Path first = seenIds.putIfAbsent(r.id(), f);
                if (first != null) {
                    throw KitError.at(f, i + 1, "duplicate id \"" + r.id() + "\" (first in " + first + ")");
                }
                bySplit.get(r.split()).add(r);
            }
        }
        Vocab vocab = Vocab.read(dir.resolve("vocab.json"));
        return new Corpus(bySplit, vocab, sha256(dir.resolve("MANIFEST.json")));
    }

    public List<Record> records(Split split) {
        return List.copyOf(bySplit.get(split));
    }

    public Vocab vocab() {
        return vocab;
    }

    /** sha256 (hex) of MANIFEST.json, which itself lists every shard's sha256. */
    public String sha256() {
        return sha256;
    }

    public static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw KitError.in(file, "cannot read: " + e.getMessage());
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
