package minitrain.train;

import java.util.List;
import minitrain.KitError;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.StepMemory;
import minitrain.autograd.Tensor;
import minitrain.checkpoint.Checkpoint;
import minitrain.corpus.Split;

/**
 * The training loop, top to bottom. Each line says what goes wrong without it; the tests in
 * TrainingLoopTest switch lines off (see {@link Switches}) and show the breakage.
 */
public final class TrainingLoop {

    /** What the loop reports after each step (a progress bar, a notebook's live display). */
    public interface Listener {
        void step(int step, double lr, double trainLoss, Double devLoss, double gradNorm, double tokensPerS);

        Listener NONE = (s, lr, l, d, g, t) -> {};
    }

    private TrainingLoop() {}

    /** Which checkpoint a stopped run can go back to, by name: the learner's next command needs it. */
    private static String keptCheckpoint(TrainingRun r) {
        if (r.runDir == null) return "the last good checkpoint is kept";
        java.nio.file.Path last = Checkpoint.latest(r.runDir);
        return last == null ? "no checkpoint was written yet" : "the last good checkpoint " + last.getFileName() + " is kept";
    }

    public static void run(TrainingRun r, Listener listener) {
        TrainConfig c = r.config;
        while (r.step < c.maxSteps()) {
            // Learning rate from the step alone: resuming needs nothing else. Without warmup the first
            // steps, taken with Adam's moments still near zero, jump far and can diverge.
            long stepStart = System.nanoTime();
            double lr = r.schedule.lr(r.step);
            // Dev loss in evaluation mode (no dropout, no graph): with dropout on it is noisy and too high.
            Double dev = r.step % c.evalEvery() == 0 ? r.loss(Split.DEV) : null;
            long t0 = System.nanoTime();
            // Backward adds into .grad: without zeroing, each step would also re-apply every earlier gradient.
            if (r.switches.zeroGrad()) r.zeroGrad();
            // The next batches in the run's own data order, which the checkpoint stores.
            List<Batch> micro = r.nextMicroBatches();
            // One denominator for all micro-batches: the mean over real target tokens of the whole step,
            // not a mean of means (which would weight a short micro-batch's tokens more).
            int tokens = Batch.tokens(micro);
            int denominator = r.switches.lossMask() ? tokens : micro.stream().mapToInt(Batch::allTargets).sum();
            double loss = 0;
            for (Batch b : micro) {
                // The pass's arrays in one block that the next pass reuses: fresh memory per operation costs
                // more than the arithmetic (parameter gradients are kept outside it, for the optimizer).
                try (StepMemory memory = StepMemory.open()) {
                    // Without the loss mask the model is also graded on predicting <pad> after each record.
                    boolean[][] counted = r.switches.lossMask() ? b.counted() : b.everyTarget();
                    Tensor out = CrossEntropy.apply(r.model.forward(b.idx(), b.real(), true, r.dropout), b.targets(),
                            counted, denominator);
                    out.backward();
                    loss += out.item();
                }
            }
            // A NaN or an infinity stops the run here, before it reaches the weights or a checkpoint.
            String bad = GradClip.firstNonFinite(r.parameters());
            if (!Double.isFinite(loss) || bad != null) {
                throw new KitError("step " + r.step + ": " + (Double.isFinite(loss) ? "" : "loss is " + loss + ", ")
                        + (bad == null ? "" : "first non-finite gradient in " + bad)
                        + "; " + keptCheckpoint(r) + " and nothing was published");
            }
            // Clip the global gradient norm: one rare huge gradient would otherwise undo many steps.
            double norm = r.switches.clip() ? GradClip.clip(r.parameters(), c.gradClip()) : GradClip.norm(r.parameters());
            r.optimizer.step(lr);
            r.step++;
            double tokensPerS = tokens / ((System.nanoTime() - t0) / 1e9);
            r.seconds += (System.nanoTime() - stepStart) / 1e9;
            if (r.metrics != null) r.metrics.append(r.step - 1, lr, loss, dev, norm, tokensPerS);
            listener.step(r.step - 1, lr, loss, dev, norm, tokensPerS);
            // A checkpoint every ckpt_every steps and at the end: a crash loses at most ckpt_every steps.
            if (r.runDir != null && (r.step % c.ckptEvery() == 0 || r.step == c.maxSteps())) Checkpoint.save(r);
        }
    }
}
