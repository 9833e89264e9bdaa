package minitrain.cli;

import java.nio.file.Path;
import java.util.Map;
import minitrain.Kit;
import minitrain.corpus.Corpus;
import minitrain.corpus.CorpusBuilder;
import minitrain.corpus.CorpusStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code minitrain corpus build|stats}: regenerate the Phase 12 corpus, or summarise it. */
@Command(name = "corpus", description = "Build the verb-conjugation corpus, or print its statistics.",
        mixinStandardHelpOptions = true, subcommands = {CorpusCommand.Build.class, CorpusCommand.Stats.class})
public final class CorpusCommand implements Runnable {

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                "corpus needs a subcommand: build or stats");
    }

    @Command(name = "build", description = "Regenerate shards, vocab.json and MANIFEST.json (byte-identical).")
    static final class Build implements Runnable {
        @Option(names = "--out", description = "Output folder (default: the kit's corpus/).")
        Path out;

        @Override
        public void run() {
            Path dir = out != null ? out : Kit.root().resolve("corpus");
            Map<String, Object> m = CorpusBuilder.build(dir);
            System.out.println("corpus: " + m.get("records") + " records " + m.get("splits") + " written to " + dir);
        }
    }

    @Command(name = "stats", description = "Records per split, tense and person; length distribution.")
    static final class Stats implements Runnable {
        @Option(names = "--corpus", description = "Corpus folder (default: the kit's corpus/).")
        Path corpus;

        @Override
        public void run() {
            long t0 = System.nanoTime();
            Corpus c = Corpus.load(corpus != null ? corpus : Kit.root().resolve("corpus"));
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.print(CorpusStats.summary(c));
            System.out.printf("read all shards in %.0f ms%n", ms);
        }
    }
}
