package minitrain.train;

/**
 * The lines of the training loop a learner can take out to see what breaks (all in for a real run). A run is
 * built with its switches ({@link TrainingRun#start}), which choose its parts: the schedule (warmup), the loss
 * mask and its denominator, zero-grad and the dev loss's evaluation mode. The loop itself never checks them.
 * Clipping is turned off by the config instead ({@code grad_clip: 0}).
 */
public record Switches(boolean zeroGrad, boolean lossMask, boolean warmup, boolean evalMode) {

    public static final Switches ALL_ON = new Switches(true, true, true, true);

    public Switches withoutZeroGrad() {
        return new Switches(false, lossMask, warmup, evalMode);
    }

    public Switches withoutLossMask() {
        return new Switches(zeroGrad, false, warmup, evalMode);
    }

    public Switches withoutWarmup() {
        return new Switches(zeroGrad, lossMask, false, evalMode);
    }

    public Switches withoutEvalMode() {
        return new Switches(zeroGrad, lossMask, warmup, false);
    }
}
