package minitrain.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SyncCheckTest {

    private static RunView run() {
        Map<String, List<double[]>> metrics = new TreeMap<>();
        metrics.put("train_loss", new ArrayList<>(List.of(new double[] {0, 3.6}, new double[] {1, 3.1})));
        metrics.put("dev_loss", new ArrayList<>(List.of(new double[] {0, 3.5})));
        return new RunView(new TreeMap<>(Map.of("model.n_embd", "64", "seed", "1337")),
                new TreeMap<>(Map.of(Sync.KEY_TAG, "ab12", "git_commit", "c0ffee")), metrics,
                new TreeMap<>(Map.of("model/m.safetensors", 100L, "run/metrics.csv", 40L)), "FINISHED");
    }

    @Test
    void theSameRunIsCorrect() {
        String r = SyncCheck.sameRun("mySync", run(), run());
        assertTrue(r.startsWith("correct: mySync gives Sync's run: 2 params, 2 tags, 3 metric points"), r);
    }

    @Test
    void noRunIsNotAnsweredYet() {
        assertTrue(SyncCheck.sameRun("mySync", null, run()).startsWith("not answered yet: write mySync"));
    }

    @Test
    void aDuplicatedPointIsNamedWithItsHint() {
        RunView mine = run();
        mine.metrics().get("train_loss").add(new double[] {1, 3.1});
        String r = SyncCheck.sameRun("mySync", mine, run());
        assertEquals("not right yet: mySync: metric train_loss has 3 points, Sync's run 2: points were sent twice;"
                + " before sending, skip the steps the run already has (client.metricSteps)", r);
    }

    @Test
    void aMissingParamAWrongValueAndAMissingArtifactAreNamed() {
        RunView noSeed = run();
        noSeed.params().remove("seed");
        assertTrue(SyncCheck.sameRun("mySync", noSeed, run())
                .startsWith("not right yet: mySync: no param seed (Sync's run has 1337); flatten"));
        RunView wrongValue = run();
        wrongValue.metrics().get("train_loss").set(0, new double[] {0, 3.5});
        assertTrue(SyncCheck.sameRun("mySync", wrongValue, run())
                .startsWith("not right yet: mySync: metric train_loss differs first at its point 0: step 0 value 3.5"));
        RunView noCsv = run();
        noCsv.artifacts().remove("run/metrics.csv");
        assertTrue(SyncCheck.sameRun("mySync", noCsv, run())
                .startsWith("not right yet: mySync: no artifact run/metrics.csv"));
        RunView running = new RunView(run().params(), run().tags(), run().metrics(), run().artifacts(), "RUNNING");
        assertTrue(SyncCheck.sameRun("mySync", running, run()).contains("client.finish(runId, \"FINISHED\")"));
    }

    @Test
    void aHalfBuiltRunIsWrongNotACrash() {
        RunView broken = new RunView(null, null, null, null, null);
        assertTrue(SyncCheck.sameRun("mySync", broken, run()).startsWith("not right yet: mySync: the run could not"));
    }
}
