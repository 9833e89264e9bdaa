package minitrain.cli;

import java.nio.file.Path;
import minitrain.Kit;
import minitrain.tracking.MlflowClient;
import minitrain.tracking.Sync;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code minitrain track RUN_DIR_OR_MODEL}: log a published model and its run to MLflow (rerunnable, no duplicates).
 */
@Command(name = "track", mixinStandardHelpOptions = true, description = "Sync a published model and its run to MLflow.")
public final class TrackCommand implements Runnable {

    @Parameters(paramLabel = "RUN_DIR_OR_MODEL",
            description = "models/minigpt-phase18-<hash>.safetensors, its .json manifest, "
                    + "or the run folder it was published from")
    Path model;

    @Option(names = "--tracking-uri",
            description = "MLflow server (MLFLOW_TRACKING_URI wins; default: mlruns/server.uri).")
    String trackingUri;

    @Option(names = "--experiment", description = "Experiment name (default: phase18-minigpt).")
    String experiment = "phase18-minigpt";

    @Override
    public void run() {
        long t0 = System.nanoTime();
        MlflowClient client = new MlflowClient(Sync.trackingUri(trackingUri, Kit.root()));
        Sync.Result r = Sync.sync(client, Sync.modelFor(model, Kit.root()), Kit.root(), experiment);
        System.out.printf("minitrain: synced to %s in %.1f s (%d metric points sent, %d already there)%n", r.runUrl(),
                (System.nanoTime() - t0) / 1e9, r.metricPointsSent(), r.metricPointsKept());
    }
}
