package minitrain.cli;

import java.nio.file.Path;
import minitrain.Kit;
import minitrain.KitError;
import minitrain.checkpoint.PublishedModel;
import minitrain.corpus.Corpus;
import minitrain.corpus.Protocol;
import minitrain.corpus.Split;
import minitrain.model.Scoring;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code minitrain eval MODEL}: val (or dev) perplexity of a published model under the shared protocol. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Perplexity of a published model on val.")
public final class EvalCommand implements Runnable {

    @Parameters(paramLabel = "MODEL", description = "models/minigpt-phase18-<hash>.safetensors")
    Path model;

    @Option(names = "--split", description = "train, dev or val (default: val).")
    String split = "val";

    @Override
    public void run() {
        Split s = Split.fromKey(split);
        if (s == null) throw new KitError("--split must be train, dev or val, got " + split);
        PublishedModel pm = PublishedModel.load(model);
        Corpus corpus = Corpus.load(Kit.root().resolve("corpus"));
        if (!corpus.vocab().tokens().equals(pm.vocab().tokens())) {
            throw KitError.in(model, "its vocabulary differs from the corpus's vocab.json");
        }
        Protocol.Score score = Scoring.score(pm.model(), corpus.records(s), pm.vocab(), 128);
        System.out.printf("%s perplexity %.6f (%d tokens, mean NLL %.6f nats)%n",
                s.key(), score.perplexity(), score.tokens(), score.meanNll());
    }
}
