package minitrain.train;

import java.util.List;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.StepMemory;
import minitrain.autograd.Tensor;

/**
 * The training loop, top to bottom. Each line says what goes wrong without it; TrainingLoopTest builds runs
 * without a line (see {@link Switches}, and {@code grad_clip: 0} for clipping) and shows the breakage.
 */
public final class TrainingLoop {

    /**
     * What the loop reports after each step (a progress bar, a notebook's live chart). {@code step} is the
     * step's own number, counted from 0 as in metrics.csv; {@code devLoss} is null between evaluations.
     */
    public interface Listener {
        void step(int step, double lr, double trainLoss, Double devLoss, double gradNorm, double tokensPerS);

        Listener NONE = (s, lr, l, d, g, t) -> {};
    }

    private TrainingLoop() {}

    public static void run(TrainingRun run, Listener listener) {
        TrainConfig c = run.config();
        // The pass's memory sized once, for the longest batch: else it is allocated afresh, mid-step, each time a
        // batch is longer than all before (no bit changes either way; only the time).
        if (!run.finished()) run.reservePassMemory();
        while (!run.finished()) {
            long start = System.nanoTime();
            int step = run.step();
            // Learning rate from the step alone: resuming needs nothing else. Without warmup the first
            // steps, taken with Adam's moments still near zero, jump far and can diverge.
            double lr = run.lr();
            // Dev loss in evaluation mode (no dropout, no graph): with dropout on it is noisy and too high.
            Double dev = step % c.evalEvery() == 0 ? run.devLoss() : null;
            long t0 = System.nanoTime();
            // Backward adds into .grad: without zeroing, each step would also re-apply every earlier gradient.
            run.zeroGrad();
            // The next batches in the run's own data order, which the checkpoint stores.
            List<Batch> micro = run.nextMicroBatches();
            // One denominator for all micro-batches: the mean over real target tokens of the whole step,
            // not a mean of means (which would weight a short micro-batch's tokens more).
            int denominator = run.denominator(micro);
            double loss = 0;
            for (Batch b : micro) {
                // The pass's arrays in one block that the next pass reuses (parameter gradients live outside it).
                try (StepMemory memory = StepMemory.open()) {
                    // Training mode: dropout draws from the run's generator, which the checkpoint stores.
                    Tensor logits = run.model().forward(b.idx(), b.real(), true, run.dropout());
                    // Without the loss mask the model is also graded on predicting <pad> after each record.
                    Tensor out = CrossEntropy.apply(logits, b.targets(), run.lossMask(b), denominator);
                    out.backward();
                    loss += out.item();
                }
            }
            // A NaN or an infinity stops the run here, before it reaches the weights or a checkpoint.
            run.requireFinite(loss);
            // Clip the global gradient norm: one rare huge gradient would otherwise undo many steps.
            double norm = GradClip.clip(run.parameters(), c.gradClip());
            run.optimizer().step(lr);
            double tokensPerS = Batch.tokens(micro) / ((System.nanoTime() - t0) / 1e9);
            run.finishStep(lr, loss, dev, norm, tokensPerS, (System.nanoTime() - start) / 1e9);
            listener.step(step, lr, loss, dev, norm, tokensPerS);
            // A checkpoint every ckpt_every steps and at the end: a crash loses at most ckpt_every steps.
            if (run.checkpointDue()) Checkpoint.save(run);
        }
    }
}
