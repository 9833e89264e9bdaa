package minitrain.checkpoint;

import minitrain.train.TrainingRun;

/** A deliberate upward import (checkpoint using train), for ArchitectureTest to catch. Test code only. */
public final class UpwardImportFixture {

    private UpwardImportFixture() {}

    public static int stepOf(TrainingRun run) {
        return run.step();
    }
}
