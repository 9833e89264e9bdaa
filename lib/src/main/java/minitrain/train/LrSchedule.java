package minitrain.train;

/**
 * The learning rate as a pure function of the step, so a resumed run needs nothing but the step number.
 * Linear warmup to the peak over {@code warmup} steps, then a cosine from the peak down to {@code min}
 * reached exactly at the last step, {@code maxSteps - 1}.
 *
 * <p>Warmup uses (step + 1) / warmup: step 0 trains with peak / warmup, not 0. Sources disagree on this
 * off-by-one (nanoGPT's older code started at 0, which wastes the first step).
 */
public record LrSchedule(double peak, double min, int warmup, int maxSteps) {

    public double lr(int step) {
        if (step < warmup) return peak * (step + 1) / warmup;
        int decaySteps = maxSteps - 1 - warmup;
        if (decaySteps <= 0) return peak;
        double progress = Math.min(1.0, (step - warmup) / (double) decaySteps);
        return min + 0.5 * (peak - min) * (1 + Math.cos(Math.PI * progress));
    }

    /** The same run without warmup: cosine from the peak at step 0 (the "what breaks" experiment). */
    public LrSchedule withoutWarmup() {
        return new LrSchedule(peak, min, 0, maxSteps);
    }
}
