package minitrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minitrain.Json;
import minitrain.Kit;
import minitrain.KitError;
import minitrain.checkpoint.AtomicFiles;
import minitrain.corpus.Corpus;
import minitrain.train.Checkpoint;
import minitrain.train.TrainConfig;
import minitrain.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code minitrain resume DIR}: continue a run from its latest checkpoint to the end it was started with. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a run folder from its latest checkpoint (or from step 0 if it has none yet); "
                + "the folder holds all its settings.")
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
        for (String name : AtomicFiles.removeLeftovers(dir)) {
            System.out.println("minitrain: removed " + name + ", a file the interrupted run left half-written");
        }
        Path ckpt = Checkpoint.latest(dir);
        Corpus corpus = Corpus.load(Kit.root().resolve(run.path("corpus").asText("corpus")));
        TrainingRun r;
        if (ckpt != null) {
            r = Checkpoint.load(ckpt, corpus);
        } else {
            // Stopped before its first checkpoint (train refuses this folder, since run.json is there): nothing
            // was learned yet, so the run starts over from step 0 with its own settings. One seed drives
            // everything, so this is the same run the interrupted one would have been.
            String where = dir.resolve("run.json").toString();
            if (!corpus.sha256().equals(run.path("corpus_sha256").asText())) {
                throw new KitError(where + ": the run was started on another corpus than the one here");
            }
            TrainConfig c = TrainConfig.fromJson(Json.compact(run.path("config")), where + " config");
            TrainingRun.requireBlockSizeFits(c, corpus, where);
            System.out.println("minitrain: " + dir + " has no checkpoint yet; starting it over from step 0");
            r = TrainingRun.start(c, corpus, dir);
        }
        if (r.finished()) {
            System.out.println("minitrain: " + dir + " already finished at step " + r.step() + "; publishing it");
        }
        Path models = Kit.root().resolve(run.path("models").asText("models"));
        AtomicFiles.requireWritableFolder(models); // before training on, not at publication
        TrainCommand.trainAndPublish(r, models);
    }
}
