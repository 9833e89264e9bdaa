package minitrain.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import minitrain.KitError;
import minitrain.Rng;
import minitrain.autograd.CrossEntropy;
import minitrain.autograd.StepMemory;
import minitrain.autograd.Tensor;
import minitrain.corpus.Corpus;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Split;
import minitrain.corpus.Vocab;
import minitrain.model.MiniGPT;
import minitrain.model.Scoring;

/**
 * Everything a training run is at a given step: the model, the optimizer's moments, the data order, the
 * dropout generator and the step. Together they are the checkpoint ({@link Checkpoint}): restore all four and
 * the run goes on exactly as if it had never stopped.
 *
 * <p>The run changes only through its own methods: {@link #nextMicroBatches} moves the data order,
 * {@link #finishStep} counts a finished step. The "what breaks" experiments ({@link Switches}) are chosen
 * here, when the run is built, so the loop that drives the run has no branches for them.
 */
public final class TrainingRun {

    private final TrainConfig config;
    private final Switches switches;
    private final Corpus corpus;
    private final MiniGPT model;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    /** The training records as token sequences, in corpus order; the data order indexes into them. */
    private final List<int[]> train;
    private final DataOrder data;
    private final Rng dropout;
    private final Path runDir;
    private final MetricsLog metrics;
    private int step;
    /** Seconds spent in the loop so far, across resumes (kept beside checkpoints), for honest timings. */
    private double seconds;

    TrainingRun(TrainConfig config, Switches switches, Corpus corpus, MiniGPT model, DataOrder data, Rng dropout,
                int step, double seconds, Path runDir) {
        this.config = config;
        this.switches = switches;
        this.corpus = corpus;
        this.model = model;
        this.optimizer = new AdamW(model.parameters(), new HashSet<>(model.decayed()), config.beta1(),
                config.beta2(), config.eps(), config.weightDecay());
        LrSchedule s = new LrSchedule(config.lr(), config.minLr(), config.warmupSteps(), config.maxSteps());
        this.schedule = switches.warmup() ? s : s.withoutWarmup();
        this.train = new ArrayList<>();
        for (Record r : corpus.records(Split.TRAIN)) train.add(Protocol.sequence(r, corpus.vocab()));
        this.data = data;
        this.dropout = dropout;
        this.step = step;
        this.seconds = seconds;
        this.runDir = runDir;
        this.metrics = runDir == null ? null : new MetricsLog(runDir.resolve("metrics.csv"), step);
    }

    /**
     * A new run. One seed, split into independent generators: initialisation, data order and dropout never
     * share draws, so changing one (say, the dropout rate) does not change the others. {@code runDir} null
     * keeps the run in memory: no metrics file, no checkpoints.
     */
    public static TrainingRun start(TrainConfig config, Switches switches, Corpus corpus, Path runDir) {
        requireBlockSizeFits(config, corpus, "config");
        Rng root = new Rng(config.seed());
        MiniGPT model = new MiniGPT(config.model(corpus.vocab().size()), root.split());
        DataOrder data = new DataOrder(corpus.records(Split.TRAIN).size(), root.nextLong(), buckets(config, corpus));
        return new TrainingRun(config, switches, corpus, model, data, root.split(), 0, 0, runDir);
    }

    /** The config's length bucketing over the training records, or null when {@code bucket_batches} is 0. */
    static DataOrder.Buckets buckets(TrainConfig config, Corpus corpus) {
        if (config.bucketBatches() == 0) return null;
        List<Record> records = corpus.records(Split.TRAIN);
        int[] lengths = new int[records.size()];
        // Inputs are one token shorter than the record: the positions it fills in a batch.
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = Protocol.sequence(records.get(i), corpus.vocab()).length - 1;
        }
        return new DataOrder.Buckets(lengths, config.batchSize(), config.bucketBatches());
    }

    /** A new run with every line of the loop in place. */
    public static TrainingRun start(TrainConfig config, Corpus corpus, Path runDir) {
        return start(config, Switches.ALL_ON, corpus, runDir);
    }

    /**
     * The longest record of any split must fit the model's context: otherwise the run stops at the first
     * batch that happens to draw it, possibly hours in and after checkpoints were written. Checked before
     * any work starts; {@code where} names the config in the error.
     */
    public static void requireBlockSizeFits(TrainConfig config, Corpus corpus, String where) {
        Record longest = null;
        int inputs = 0;
        for (Split s : Split.values()) {
            for (Record r : corpus.records(s)) {
                int n = Protocol.sequence(r, corpus.vocab()).length - 1; // inputs are one token shorter
                if (n > inputs) {
                    inputs = n;
                    longest = r;
                }
            }
        }
        if (inputs > config.blockSize()) {
            throw new KitError(where + ": block_size " + config.blockSize() + " is shorter than the longest record ("
                    + longest.id() + " needs " + inputs + " inputs); use block_size " + inputs + " or more");
        }
    }

    // --- The building blocks one step of the loop calls, in the order it calls them ---------------------------

    /** The learning rate of the step about to be taken: a pure function of the step. */
    public double lr() {
        return schedule.lr(step);
    }

    /** Mean NLL per token of the dev split, in evaluation mode (or, switched off, with dropout on). */
    public double devLoss() {
        return loss(Split.DEV);
    }

    /** Mean NLL per token of a split under the shared protocol. */
    public double loss(Split split) {
        Rng noisy = switches.evalMode() ? null : new Rng(config.seed() + step);
        return Scoring.score(model, corpus.records(split), corpus.vocab(), config.evalBatch(), noisy).meanNll();
    }

    /** Clears every parameter's gradient (kept, as the experiment, when zero-grad is switched off). */
    public void zeroGrad() {
        if (switches.zeroGrad()) model.zeroGrad();
    }

    /** The next optimizer step's {@code grad_accum} micro-batches, from the run's data order. */
    public List<Batch> nextMicroBatches() {
        List<Batch> micro = new ArrayList<>();
        for (int k = 0; k < config.gradAccum(); k++) {
            List<int[]> seqs = new ArrayList<>();
            for (int i : data.nextBatch(config.batchSize())) seqs.add(train.get(i));
            micro.add(Batch.of(seqs, corpus.vocab().padId, config.blockSize()));
        }
        return micro;
    }

    /**
     * One forward and backward pass over the longest batch this run can draw, on a throwaway model of the same
     * shape with its own dropout generator (the run's weights, gradients and generators are untouched), so that
     * the pass's memory block ({@link StepMemory}) is sized once for every batch to come. Otherwise the block grows
     * each time a batch is longer than all before it, and each time it is allocated afresh and faulted in page by
     * page: a quarter of a second on this kit's machine, in the middle of a step (docs/performance.md).
     */
    public void reservePassMemory() {
        int[] longest = new int[0];
        for (int[] s : train) if (s.length > longest.length) longest = s;
        if (longest.length < 2) return;                                       // nothing to train on
        Batch b = Batch.of(java.util.Collections.nCopies(config.batchSize(), longest), corpus.vocab().padId,
                config.blockSize());
        MiniGPT throwaway = new MiniGPT(model.config, new Rng(0));
        try (StepMemory memory = StepMemory.openForLongest()) {
            Tensor logits = throwaway.forward(b.idx(), b.real(), true, new Rng(0));
            CrossEntropy.apply(logits, b.targets(), b.counted(), b.tokens()).backward();
        }
    }

    /** The targets a batch's loss counts: the real ones (or, with the loss mask switched off, every one). */
    public boolean[][] lossMask(Batch b) {
        return switches.lossMask() ? b.counted() : b.everyTarget();
    }

    /** The loss's one denominator for a whole step: every target {@link #lossMask} counts in its micro-batches. */
    public int denominator(List<Batch> micro) {
        int n = 0;
        for (Batch b : micro) n += switches.lossMask() ? b.tokens() : b.allTargets();
        return n;
    }

    /**
     * Stops the run when the step's loss or any gradient is NaN or infinite, before it reaches the weights or
     * a checkpoint; the error names the checkpoint to go back to.
     */
    public void requireFinite(double loss) {
        String bad = GradClip.firstNonFinite(parameters());
        if (Double.isFinite(loss) && bad == null) return;
        Path last = runDir == null ? null : Checkpoint.latest(runDir);
        String kept = runDir == null ? "the last good checkpoint is kept"
                : last == null ? "no checkpoint was written yet"
                : "the last good checkpoint " + last.getFileName() + " is kept";
        throw new KitError("step " + step + ": " + (Double.isFinite(loss) ? "" : "loss is " + loss + ", ")
                + (bad == null ? "" : "first non-finite gradient in " + bad)
                + "; " + kept + " and nothing was published");
    }

    /**
     * Counts a finished optimizer step: the step number moves on, its time is added, and its row goes to
     * metrics.csv under the number of the step that was taken.
     */
    public void finishStep(double lr, double trainLoss, Double devLoss, double gradNorm, double tokensPerS,
                           double stepSeconds) {
        if (metrics != null) metrics.append(step, lr, trainLoss, devLoss, gradNorm, tokensPerS);
        step++;
        seconds += stepSeconds;
    }

    /** Whether a checkpoint is due after the step just finished: every ckpt_every steps, and at the end. */
    public boolean checkpointDue() {
        return runDir != null && (step % config.ckptEvery() == 0 || step == config.maxSteps());
    }

    // --- What the run is -------------------------------------------------------------------------------------

    /** Steps taken so far; the next step to take. */
    public int step() {
        return step;
    }

    public boolean finished() {
        return step >= config.maxSteps();
    }

    public TrainConfig config() {
        return config;
    }

    public Switches switches() {
        return switches;
    }

    public Corpus corpus() {
        return corpus;
    }

    public Vocab vocab() {
        return corpus.vocab();
    }

    public MiniGPT model() {
        return model;
    }

    public Map<String, Tensor> parameters() {
        return model.parameters();
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public LrSchedule schedule() {
        return schedule;
    }

    /** The generator dropout draws its masks from; the model's forward pass in training mode takes it. */
    public Rng dropout() {
        return dropout;
    }

    public DataOrder dataOrder() {
        return data;
    }

    /** The run folder (metrics.csv, checkpoints), or null for a run kept in memory. */
    public Path runDir() {
        return runDir;
    }

    public double seconds() {
        return seconds;
    }
}
