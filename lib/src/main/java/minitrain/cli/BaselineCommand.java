package minitrain.cli;

import java.nio.file.Path;
import minitrain.Kit;
import minitrain.corpus.Corpus;
import minitrain.ngram.Baseline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minitrain baseline}: the Kneser-Ney n-gram baseline, orders 1..10, chosen on dev, scored on val. */
@Command(name = "baseline", mixinStandardHelpOptions = true,
        description = "Train the n-gram baseline (orders 1-10), pick the order on dev, score val.")
public final class BaselineCommand implements Runnable {

    @Option(names = "--corpus", description = "Corpus folder (default: the kit's corpus/).")
    Path corpus;

    @Option(names = "--out", description = "Result file (default: experiments/14-ngram/baseline.json).")
    Path out;

    @Override
    public void run() {
        long t0 = System.nanoTime();
        Corpus c = Corpus.load(corpus != null ? corpus : Kit.root().resolve("corpus"));
        Baseline b = Baseline.compute(c);
        Path file = out != null ? out : Kit.root().resolve("experiments/14-ngram/baseline.json");
        b.write(file);
        System.out.println(b.table().printAll());
        System.out.printf("chosen order %d: dev ppl %.4f, val ppl %.4f (%.1f s in all) -> %s%n",
                b.order(), b.devPpl(), b.valPpl(), (System.nanoTime() - t0) / 1e9, file);
    }
}
