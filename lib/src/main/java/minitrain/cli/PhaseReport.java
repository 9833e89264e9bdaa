package minitrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import minitrain.Json;
import minitrain.Kit;
import minitrain.KitError;
import minitrain.autograd.Nd;
import minitrain.checkpoint.NoJavaSerialization;
import minitrain.checkpoint.Environment;
import minitrain.checkpoint.PublishedModel;
import minitrain.corpus.Corpus;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Split;
import minitrain.model.Scoring;
import minitrain.ngram.Baseline;
import minitrain.plot.Charts;
import minitrain.plot.LossChart;
import minitrain.precision.Drift;
import minitrain.tracking.MlflowClient;
import minitrain.train.Batch;
import minitrain.train.MetricsLog;
import tech.tablesaw.api.Table;

/**
 * PHASE_18_REPORT.md: the phase's Definition of Done as a checklist, each item decided here by code that
 * looks at the files (and the MLflow server) as they are now, never by a flag a notebook set. Then the
 * numbers, the plots and the environment a reader needs to trust the ticks.
 */
final class PhaseReport {

    /** One line of the checklist: what is claimed, whether it holds, and the evidence either way. */
    record Item(String claim, boolean done, String evidence) {
        String markdown() {
            return "- [" + (done ? "x" : " ") + "] **" + claim + "** — " + evidence;
        }
    }

    static final double TARGET = 0.8; // the phase asks for a val perplexity at least 20% below the n-gram's

    final Path root, models, notebooks, out;
    final List<Item> items = new ArrayList<>();
    final List<String> body = new ArrayList<>();
    // Filled while the tracking item is decided, printed after the results.
    final List<String> mlflow = new ArrayList<>();

    PhaseReport(Path root, Path models, Path notebooks, Path out) {
        this.root = root;
        this.models = models;
        this.notebooks = notebooks;
        this.out = out;
    }

    /** Decides every item and writes the report; returns the items so the caller can set the exit status. */
    List<Item> write() {
        Corpus corpus = Corpus.load(root.resolve("corpus"));
        Baseline baseline = Baseline.read(root.resolve("experiments/14-ngram/baseline.json"));
        Path modelFile = PublishedModel.latest(models);
        PublishedModel pm = modelFile == null ? null : load(modelFile);
        items.add(reloads(pm, corpus));
        items.add(beatsBaseline(pm, corpus, baseline));
        items.add(tracked(pm));
        items.add(driftPlot(pm));
        items.add(noSerialization());
        items.add(plotsInline());
        if (pm != null) results(pm, baseline);
        body.addAll(mlflow);
        drift();
        timings();
        if (pm != null) environment(pm, corpus);
        List<String> md = new ArrayList<>();
        md.add("# Phase 18 report: MiniGPT trained, checkpointed, tracked and measured");
        md.add("");
        md.add("Written by `bin/minitrain report` (run by `make phase`) from the files as they are "
                + "at the end of the run.");
        md.add("Every tick below was decided by code; an unticked item says what is missing.");
        md.add("");
        md.add("## Definition of Done");
        md.add("");
        items.forEach(i -> md.add(i.markdown()));
        md.add("");
        md.addAll(body);
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, String.join("\n", md) + "\n");
        } catch (IOException e) {
            throw KitError.in(out, "cannot write the report: " + e.getMessage());
        }
        return items;
    }

    private PublishedModel load(Path file) {
        try {
            return PublishedModel.load(file);
        } catch (KitError e) {
            items.add(new Item("The published model loads", false, e.getMessage()));
            return null;
        }
    }

    // ---- The checklist ---------------------------------------------------------------------------------

    /** Saved again, the model gives the same bytes; reloaded, the same logits to the last bit. */
    private Item reloads(PublishedModel pm, Corpus corpus) {
        String claim = "The model file exists and reloads byte-identically";
        if (pm == null) return new Item(claim, false, "no loadable minigpt-phase18-*.safetensors in " + rel(models));
        Path scratch = root.resolve("build/report-reload");
        Path copy = PublishedModel.publish(scratch, pm.model(), pm.vocab(), Map.of());
        PublishedModel again = PublishedModel.load(copy);
        boolean sameBytes = Arrays.equals(bytes(pm.file()), bytes(copy));
        List<int[]> seqs = new ArrayList<>();
        for (Record r : corpus.records(Split.VAL).subList(0, 64)) seqs.add(Protocol.sequence(r, corpus.vocab()));
        Batch batch = Batch.of(seqs, corpus.vocab().padId, pm.model().config.blockSize());
        double[] a = Nd.values(pm.model().evaluate(batch.idx(), batch.real()).data);
        double[] b = Nd.values(again.model().evaluate(batch.idx(), batch.real()).data);
        int differ = 0;
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) differ++;
        }
        String evidence = String.format("`%s` (%,d bytes, sha256 `%s…` checked against its manifest); saved again: %s; "
                + "%,d logits on 64 val records, %d differing bits-wise",
                rel(pm.file()), bytes(pm.file()).length, pm.manifest().path("sha256").asText().substring(0, 12),
                sameBytes ? "the same bytes" : "DIFFERENT bytes", a.length, differ);
        return new Item(claim, sameBytes && differ == 0, evidence);
    }

    /** Recomputes val perplexity now, under the shared protocol, rather than trusting the manifest's number. */
    private Item beatsBaseline(PublishedModel pm, Corpus corpus, Baseline baseline) {
        String claim = "Val perplexity at least 20% below the n-gram baseline";
        if (pm == null) return new Item(claim, false, "no model to score");
        if (!baseline.corpusSha256().equals(corpus.sha256())) {
            return new Item(claim, false,
                    "baseline.json was computed on another corpus: rerun `bin/minitrain baseline`");
        }
        double ppl = Scoring.score(pm.model(), corpus.records(Split.VAL), pm.vocab(), 128).perplexity();
        boolean met = ppl <= TARGET * baseline.valPpl();
        String evidence = String.format("MiniGPT %.4f vs Kneser-Ney order %d %.4f: %.1f%% lower (target: at most %.4f)",
                ppl, baseline.order(), baseline.valPpl(), 100 * (1 - ppl / baseline.valPpl()),
                TARGET * baseline.valPpl());
        return new Item(claim, met, evidence);
    }

    /** The run the manifest names must exist on its server, finished, with the whole metric history. */
    private Item tracked(PublishedModel pm) {
        String claim = "The run is logged to MLflow";
        if (pm == null) return new Item(claim, false, "no model, so no run");
        JsonNode m = pm.manifest().path("mlflow");
        if (m.isMissingNode()) {
            return new Item(claim, false, "the manifest has no mlflow block: run lab 04 or `bin/minitrain track`");
        }
        String uri = m.path("tracking_uri").asText();
        String runId = m.path("run_id").asText();
        String url = m.path("run_url").asText();
        String where = String.format("tracking URI `%s`, experiment `%s`, run `%s`, [run page](%s)", uri,
                m.path("experiment_id").asText(), runId, url);
        mlflow.addAll(List.of("## MLflow", "", "| | |", "|---|---|", "| tracking URI | `" + uri + "` |",
                "| experiment id | `" + m.path("experiment_id").asText() + "` |", "| run id | `" + runId + "` |",
                "| run page | " + url + " |", ""));
        try {
            MlflowClient client = new MlflowClient(uri);
            JsonNode run = client.run(runId);
            String status = run.path("info").path("status").asText("missing");
            Path runDir = root.resolve(pm.manifest().path("run_dir").asText());
            int rows = MetricsLog.read(runDir.resolve("metrics.csv")).rowCount();
            int logged = client.metricSteps(runId, "train_loss").size();
            boolean ok = status.equals("FINISHED") && logged == rows;
            String onServer = String.format("; status %s, %d of %d train_loss points on the server",
                    status, logged, rows);
            return new Item(claim, ok, where + onServer);
        } catch (KitError e) {
            return new Item(claim, false, where + "; not confirmed: " + e.getMessage());
        }
    }

    private Item driftPlot(PublishedModel pm) {
        Path dir = root.resolve("experiments/18-mp-drift");
        Path png = dir.resolve("drift.png");
        Path svg = dir.resolve("drift.svg");
        Path csv = dir.resolve("drift.csv");
        Path record = dir.resolve("drift.json");
        String claim = "The drift plot is exported";
        if (!Files.isRegularFile(png) || !Files.isRegularFile(svg) || !Files.isRegularFile(csv)
                || !Files.isRegularFile(record)) {
            return new Item(claim, false, "missing one of " + rel(png)
                    + ", drift.svg, drift.csv, drift.json: run lab 03 or `bin/minitrain drift`");
        }
        // Drift files left from an earlier model would describe another network: they must name this one.
        String measured;
        try {
            measured = Json.MAPPER.readTree(record.toFile()).path("model_sha256").asText("");
        } catch (IOException e) {
            throw KitError.in(record, "not readable JSON: " + e.getMessage());
        }
        boolean same = pm != null && measured.equals(pm.manifest().path("sha256").asText());
        Table t = Table.read().csv(csv.toString());
        long fp16 = t.stringColumn("precision").isEqualTo("fp16").size();
        long bf16 = t.stringColumn("precision").isEqualTo("bf16").size();
        String measuredShort = measured.isEmpty() ? "none" : measured.substring(0, Math.min(12, measured.length()));
        return new Item(claim, fp16 > 0 && fp16 == bf16 && same,
                String.format("`%s` and `.svg`; drift.csv has %d fp16 and %d bf16 layer rows; %s",
                        rel(png), fp16, bf16, same ? "measured on the published model (drift.json)"
                                : "drift.json names model " + measuredShort + ", not the published one: rerun lab 03"));
    }

    private Item noSerialization() {
        Path src = root.resolve("lib/src/main/java");
        List<Path> offenders = NoJavaSerialization.offenders(src);
        return new Item("No Java serialization in lib", offenders.isEmpty(), offenders.isEmpty()
                ? NoJavaSerialization.sourceFiles(src) + " source files scanned, none uses Java serialization"
                : "found in " + offenders.stream().map(this::rel).toList());
    }

    /** The executed labs must show their charts, not only write files: a learner opens them to see the run. */
    private Item plotsInline() {
        String claim = "The executed labs 01 and 03 show their plots inline";
        List<String> seen = new ArrayList<>();
        boolean ok = true;
        for (String name : List.of("01-train-mini.ipynb", "03-mp-drift.ipynb")) {
            // The phase runs a lab as its worked solution when the lab is generated from it (bin/notebooks phase).
            Path executed = notebooks.resolve("solutions").resolve(name);
            if (!Files.exists(executed)) executed = notebooks.resolve("lab").resolve(name);
            int images = images(executed);
            ok &= images > 0;
            String shown = images < 0 ? "not executed" : images + " image/png outputs";
            seen.add(String.format("`%s`: %s", rel(executed), shown));
        }
        return new Item(claim, ok, String.join("; ", seen));
    }

    static int images(Path notebook) {
        if (!Files.isRegularFile(notebook)) return -1;
        try {
            int n = 0;
            for (JsonNode cell : Json.MAPPER.readTree(notebook.toFile()).path("cells")) {
                for (JsonNode o : cell.path("outputs")) if (o.path("data").has("image/png")) n++;
            }
            return n;
        } catch (IOException e) {
            throw KitError.in(notebook, "not a readable notebook: " + e.getMessage());
        }
    }

    // ---- The body ----------------------------------------------------------------------------------------

    private void results(PublishedModel pm, Baseline baseline) {
        JsonNode man = pm.manifest(), metrics = man.path("metrics");
        long ngrams = baseline.orders().stream()
                .filter(o -> o.order() == baseline.order()).mapToLong(Baseline.OrderResult::ngrams).sum();
        double countSeconds = baseline.orders().stream().mapToDouble(Baseline.OrderResult::seconds).sum();
        List<String> r = new ArrayList<>(List.of("## Results", "",
                "| | MiniGPT | n-gram (order " + baseline.order() + ") |", "|---|---|---|",
                String.format("| val perplexity | %.4f | %.4f |",
                        metrics.path("val_ppl").asDouble(), baseline.valPpl()),
                String.format("| dev perplexity | %.4f | %.4f |",
                        metrics.path("dev_ppl").asDouble(), baseline.devPpl()),
                String.format("| parameters | %,d | %,d n-grams |", man.path("parameters").asLong(), ngrams),
                String.format("| training | %d steps, %.0f s (%.0f ms per step) | counted in %.1f s |",
                        man.path("steps").asInt(), man.path("timings").path("wall_s").asDouble(),
                        man.path("timings").path("ms_per_step").asDouble(), countSeconds),
                "", "Model: `" + rel(pm.file()) + "`; manifest: `" + rel(PublishedModel.manifestFor(pm.file()))
                        + "`; run folder: `" + man.path("run_dir").asText() + "`.", ""));
        Path runDir = root.resolve(man.path("run_dir").asText());
        Path metricsCsv = runDir.resolve("metrics.csv");
        if (Files.isRegularFile(metricsCsv)) {
            Table t = MetricsLog.read(metricsCsv);
            Path dir = root.resolve("experiments/18-train-mini");
            Path loss = Charts.save(LossChart.of(t, baseline), dir.resolve("loss"));
            Path lr = Charts.save(LossChart.learningRate(t), dir.resolve("lr"));
            r.add("![Train and dev loss against the n-gram](" + link(loss) + ")");
            r.add("");
            r.add("![Learning rate](" + link(lr) + ")");
            r.add("");
            r.add("| step | lr | train loss | dev loss | dev perplexity |");
            r.add("|---:|---:|---:|---:|---:|");
            Table dev = t.where(t.numberColumn("dev_loss").isNotMissing());
            for (int i = 0; i < dev.rowCount(); i++) {
                double d = dev.doubleColumn("dev_loss").getDouble(i);
                r.add(String.format("| %d | %.2e | %.4f | %.4f | %.4f |", dev.intColumn("step").getInt(i),
                        dev.doubleColumn("lr").getDouble(i), dev.doubleColumn("train_loss").getDouble(i),
                        d, Math.exp(d)));
            }
            r.add("");
        }
        body.addAll(r);
    }

    private void drift() {
        Path csv = root.resolve("experiments/18-mp-drift/drift.csv");
        if (!Files.isRegularFile(csv)) return;
        Table t = Table.read().csv(csv.toString());
        body.add("## Mixed-precision drift (forward pass, per layer)");
        body.add("");
        Path png = root.resolve("experiments/18-mp-drift/drift.png");
        body.add("![Relative RMS error per layer, fp16 and bf16](" + link(png) + ")");
        body.add("");
        body.add("Relative RMS error against fp64. "
                + "*Boundaries*: weights and each layer's output rounded, arithmetic in");
        body.add("fp64; *every op*: the output of every operation rounded too; *arith*: as every op, "
                + "and the matrix products computed in the");
        body.add("format itself (every product and partial sum rounded), on the first " + Drift.ARITH_RECORDS
                + " records of the sample. Overflows and flushes are for fp16 with every op rounded, "
                + "counted over every operation inside the layer.");
        body.add("");
        body.add("| layer | fp16 boundaries | bf16 boundaries | fp16 every op | bf16 every op "
                + "| fp16 arith | bf16 arith | fp16 overflows | fp16 flushes to zero |");
        body.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Table fp16 = t.where(t.stringColumn("precision").isEqualTo("fp16"));
        for (int i = 0; i < fp16.rowCount(); i++) {
            String layer = fp16.stringColumn("layer").get(i);
            StringBuilder row = new StringBuilder("| " + layer + " |");
            List<String> columns = List.of("fp16", "bf16", "fp16" + Drift.EVERY_OP, "bf16" + Drift.EVERY_OP,
                    "fp16" + Drift.ARITH, "bf16" + Drift.ARITH);
            for (String p : columns) {
                Table r = t.where(t.stringColumn("precision").isEqualTo(p)
                        .and(t.stringColumn("layer").isEqualTo(layer)));
                row.append(r.rowCount() == 0 ? " |"
                        : String.format(" %.2e |", r.numberColumn("rel_rms_err").getDouble(0)));
            }
            Table worst = t.where(t.stringColumn("precision").isEqualTo("fp16" + Drift.EVERY_OP)
                    .and(t.stringColumn("layer").isEqualTo(layer)));
            if (worst.rowCount() == 0) worst = fp16.where(fp16.stringColumn("layer").isEqualTo(layer));
            row.append(String.format(" %d | %d |", (long) worst.numberColumn("overflows").getDouble(0),
                    (long) worst.numberColumn("flushes_to_zero").getDouble(0)));
            body.add(row.toString());
        }
        body.add("");
    }

    /** Written by bin/notebooks: seconds per executed notebook. */
    private void timings() {
        Path file = notebooks.resolve("timings.json");
        if (!Files.isRegularFile(file)) return;
        body.add("## Notebooks run for this report");
        body.add("");
        body.add("| notebook | seconds |");
        body.add("|---|---:|");
        try {
            Json.MAPPER.readTree(file.toFile()).fields().forEachRemaining(e ->
                    body.add(String.format("| `%s` | %.1f |", e.getKey(), e.getValue().asDouble())));
        } catch (IOException e) {
            throw KitError.in(file, "not readable JSON: " + e.getMessage());
        }
        body.add("");
        body.add("Executed copies (with their outputs) are in `" + rel(notebooks) + "/`.");
        body.add("");
    }

    private void environment(PublishedModel pm, Corpus corpus) {
        JsonNode man = pm.manifest();
        body.add("## Environment and provenance");
        body.add("");
        body.add("| | |");
        body.add("|---|---|");
        body.add("| kit version | " + man.path("kit_version").asText() + " |");
        body.add("| git commit (training) | `" + man.path("git_commit").asText() + "` |");
        body.add("| corpus sha256 | `" + corpus.sha256() + "` |");
        body.add("| seed | " + man.path("seed").asText() + " |");
        man.path("environment").fields().forEachRemaining(e ->
                body.add("| " + e.getKey() + " | " + e.getValue().asText() + " |"));
        body.add("");
        String mode = man.path("environment").path("blas_mode").asText("unknown");
        body.add(Environment.PORTABLE.equals(mode)
                ? "The model was trained in portable mode (`"
                        + man.path("environment").path("blas_coretype").asText() + "` kernels, one BLAS thread),"
                        + " the default of `make phase` and `bin/minitrain train`. A learner's run of the same commit"
                        + " and config in portable mode, on any x86-64 machine with AVX2 and FMA,"
                        + " should publish this same file, `" + pm.file().getFileName() + "`; the fixture test"
                        + " `tests/test_portable_fixture.py` checks a short run of that promise on every `make test`."
                : "The model was trained in `" + mode + "` mode (kernels chosen for this CPU): a learner's run should"
                        + " not be expected to reproduce its hash on another CPU; `make phase` in portable mode does.");
        body.add("");
    }

    // ---- Paths ---------------------------------------------------------------------------------------

    private String rel(Path p) {
        return Kit.show(p);
    }

    /** A link from the report's folder, so the images show wherever the report is opened. */
    private String link(Path p) {
        return out.toAbsolutePath().getParent().relativize(p.toAbsolutePath()).toString();
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw KitError.in(p, "cannot read: " + e.getMessage());
        }
    }
}
