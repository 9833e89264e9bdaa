package minitrain.train;

/**
 * The lines of the training loop a learner can switch off to see what breaks (all on for a real run):
 * each one is a "what breaks if you remove this line" experiment in the tests and in lab 01.
 */
public record Switches(boolean zeroGrad, boolean lossMask, boolean warmup, boolean clip, boolean evalMode) {

    public static final Switches ALL_ON = new Switches(true, true, true, true, true);

    public Switches withoutZeroGrad() { return new Switches(false, lossMask, warmup, clip, evalMode); }
    public Switches withoutLossMask() { return new Switches(zeroGrad, false, warmup, clip, evalMode); }
    public Switches withoutWarmup() { return new Switches(zeroGrad, lossMask, false, clip, evalMode); }
    public Switches withoutClip() { return new Switches(zeroGrad, lossMask, warmup, false, evalMode); }
    public Switches withoutEvalMode() { return new Switches(zeroGrad, lossMask, warmup, clip, false); }
}
