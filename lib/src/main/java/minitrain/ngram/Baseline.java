package minitrain.ngram;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import minitrain.Json;
import minitrain.KitError;
import minitrain.corpus.Corpus;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Split;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * The Phase 14 baseline as the rest of the kit uses it: every order from 1 to 10 trained on train and
 * scored on dev and val with the shared protocol; the order is chosen on dev; val is what MiniGPT must beat.
 */
public record Baseline(int order, double devPpl, double valPpl, String corpusSha256, List<OrderResult> orders) {

    public record OrderResult(int order, double devPpl, double valPpl, long ngrams, double seconds) {}

    public static final int MAX_ORDER = 10;

    /** ln(val perplexity): the baseline as a mean NLL in nats per token, for a line on a loss curve. */
    public double valNllPerToken() {
        return Math.log(valPpl);
    }

    public double devNllPerToken() {
        return Math.log(devPpl);
    }

    public static Baseline compute(Corpus corpus) {
        long t0 = System.nanoTime();
        List<int[]> train = new ArrayList<>();
        for (Record r : corpus.records(Split.TRAIN)) train.add(Protocol.sequence(r, corpus.vocab()));
        KneserNey all = KneserNey.train(train, MAX_ORDER, corpus.vocab());
        double countSeconds = (System.nanoTime() - t0) / 1e9;
        List<OrderResult> results = new ArrayList<>();
        OrderResult best = null;
        for (int n = 1; n <= MAX_ORDER; n++) {
            long t = System.nanoTime();
            KneserNey m = all.withOrder(n);
            double dev = Protocol.score(corpus.records(Split.DEV), corpus.vocab(), m).perplexity();
            double val = Protocol.score(corpus.records(Split.VAL), corpus.vocab(), m).perplexity();
            // Counting is shared by all orders; each order's time is its scoring plus a share of the counting.
            double seconds = (System.nanoTime() - t) / 1e9 + countSeconds / MAX_ORDER;
            OrderResult r = new OrderResult(n, dev, val, m.size(), seconds);
            results.add(r);
            if (best == null || r.devPpl() < best.devPpl()) best = r;
        }
        return new Baseline(best.order(), best.devPpl(), best.valPpl(), corpus.sha256(), List.copyOf(results));
    }

    public Table table() {
        Table t = Table.create("Kneser-Ney baseline (order chosen on dev: " + order + ")",
                IntColumn.create("order"), DoubleColumn.create("dev ppl"), DoubleColumn.create("val ppl"),
                LongColumn.create("n-grams"), DoubleColumn.create("seconds"));
        for (OrderResult r : orders) {
            t.intColumn("order").append(r.order());
            t.doubleColumn("dev ppl").append(Math.round(r.devPpl() * 10000) / 10000.0);
            t.doubleColumn("val ppl").append(Math.round(r.valPpl() * 10000) / 10000.0);
            t.longColumn("n-grams").append(r.ngrams());
            t.doubleColumn("seconds").append(Math.round(r.seconds() * 1000) / 1000.0);
        }
        return t;
    }

    public void write(Path file) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("order", order);
        o.put("dev_ppl", devPpl);
        o.put("val_ppl", valPpl);
        o.put("corpus_sha256", corpusSha256);
        o.put("smoothing", "interpolated modified Kneser-Ney");
        List<Map<String, Object>> per = new ArrayList<>();
        for (OrderResult r : orders) {
            per.add(Map.of("order", r.order(), "dev_ppl", r.devPpl(), "val_ppl", r.valPpl(),
                    "ngrams", r.ngrams(), "seconds", r.seconds()));
        }
        o.put("orders", per);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, Json.pretty(o));
        } catch (IOException e) {
            throw KitError.in(file, "cannot write: " + e.getMessage());
        }
    }

    public static Baseline read(Path file) {
        try {
            JsonNode o = Json.MAPPER.readTree(Files.readString(file));
            for (String key : List.of("order", "dev_ppl", "val_ppl", "corpus_sha256")) {
                if (o == null || !o.has(key)) throw KitError.in(file, "missing field \"" + key + "\"");
            }
            List<OrderResult> per = new ArrayList<>();
            for (JsonNode r : o.path("orders")) {
                for (String key : List.of("order", "dev_ppl", "val_ppl", "ngrams", "seconds")) {
                    if (!r.has(key)) throw KitError.in(file, "an entry of \"orders\" lacks \"" + key + "\"");
                }
                per.add(new OrderResult(r.get("order").asInt(), r.get("dev_ppl").asDouble(),
                        r.get("val_ppl").asDouble(), r.get("ngrams").asLong(), r.get("seconds").asDouble()));
            }
            return new Baseline(o.get("order").asInt(), o.get("dev_ppl").asDouble(), o.get("val_ppl").asDouble(),
                    o.get("corpus_sha256").asText(), List.copyOf(per));
        } catch (IOException e) {
            throw KitError.in(file, "cannot read the baseline (run bin/minitrain baseline): " + e.getMessage());
        }
    }
}
