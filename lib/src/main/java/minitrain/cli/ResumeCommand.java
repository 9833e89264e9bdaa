package minitrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minitrain.Json;
import minitrain.Kit;
import minitrain.KitError;
import minitrain.checkpoint.Checkpoint;
import minitrain.corpus.Corpus;
import minitrain.train.Switches;
import minitrain.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code minitrain resume DIR}: continue a run from its latest checkpoint to the end it was started with. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a run folder from its latest checkpoint; the folder holds all its settings.")
public final class ResumeCommand implements Runnable {

    @Parameters(paramLabel = "DIR", description = "The run folder.")
    Path dir;

    @Override
    public void run() {
        JsonNode run;
        try {
            run = Json.MAPPER.readTree(Files.readString(dir.resolve("run.json")));
        } catch (IOException e) {
            throw KitError.in(dir, "is not a run folder (no readable run.json)");
        }
        Path ckpt = Checkpoint.latest(dir);
        if (ckpt == null) throw KitError.in(dir, "has no checkpoint yet: start it again with 'minitrain train'");
        Corpus corpus = Corpus.load(Kit.root().resolve(run.path("corpus").asText("corpus")));
        TrainingRun r = Checkpoint.load(ckpt, corpus, Switches.ALL_ON, true);
        if (r.step() >= r.config.maxSteps()) {
            System.out.println("minitrain: " + dir + " already finished at step " + r.step() + "; publishing it");
        }
        TrainCommand.trainAndPublish(r, Kit.root().resolve(run.path("models").asText("models")));
    }
}
