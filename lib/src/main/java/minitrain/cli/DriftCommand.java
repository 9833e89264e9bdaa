package minitrain.cli;

import java.nio.file.Path;
import java.util.List;
import minitrain.Kit;
import minitrain.checkpoint.PublishedModel;
import minitrain.corpus.Corpus;
import minitrain.corpus.Record;
import minitrain.corpus.Split;
import minitrain.plot.Charts;
import minitrain.plot.DriftChart;
import minitrain.precision.Drift;
import minitrain.precision.DriftRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code minitrain drift MODEL}: per-layer fp16/bf16 drift of the forward pass; CSV, its provenance record and plot.
 */
@Command(name = "drift", mixinStandardHelpOptions = true,
        description = "Measure fp16/bf16 drift per layer of a published model.")
public final class DriftCommand implements Runnable {

    @Parameters(paramLabel = "MODEL")
    Path model;

    @Option(names = "--records", description = "How many val records (the first N, a fixed sample; default 256).")
    int records = 256;

    @Option(names = "--out", description = "Output folder (default: experiments/18-mp-drift).")
    Path out;

    @Override
    public void run() {
        PublishedModel pm = PublishedModel.load(model);
        Corpus corpus = Corpus.load(Kit.root().resolve("corpus"));
        List<Record> val = corpus.records(Split.VAL);
        int n = Math.min(records, val.size());
        Drift.Result r = Drift.measure(pm.model(), pm.vocab(), val.subList(0, n));
        Path dir = out != null ? out : Kit.root().resolve("experiments/18-mp-drift");
        Drift.write(r, pm, n, dir);
        Charts.save(DriftChart.of(r.rows()), dir.resolve("drift"));
        System.out.println(DriftRow.CSV_HEADER);
        r.rows().forEach(row -> System.out.println(row.csv()));
        r.loss().forEach((k, v) -> System.out.printf("%s: val loss %.6f nats, ppl %.6f%n", k, v[0], v[1]));
        r.argmaxChanged().forEach((k, v) -> System.out.printf("%s: %.4f%% of argmax predictions change%n", k, 100 * v));
        System.out.println("wrote " + Kit.show(dir.resolve("drift.csv")) + ", drift.json, drift.png, drift.svg");
    }
}
