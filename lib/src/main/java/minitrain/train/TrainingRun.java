package minitrain.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import minitrain.KitError;
import minitrain.Rng;
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
 * dropout generator and the step. Together they are the checkpoint: restore all of them and the run goes
 * on exactly as if it had never stopped.
 */
public final class TrainingRun {

    public final TrainConfig config;
    public final Switches switches;
    public final Corpus corpus;
    public final Vocab vocab;
    public final MiniGPT model;
    public final AdamW optimizer;
    public final LrSchedule schedule;
    public final List<int[]> train;
    public final Path runDir;
    DataOrder data;
    Rng dropout;
    int step;
    MetricsLog metrics;
    /** Seconds spent in the loop so far, across resumes (stored in checkpoints), for honest timings. */
    double seconds;

    TrainingRun(TrainConfig config, Switches switches, Corpus corpus, MiniGPT model, DataOrder data, Rng dropout,
                int step, Path runDir) {
        this.config = config;
        this.switches = switches;
        this.corpus = corpus;
        this.vocab = corpus.vocab();
        this.model = model;
        this.optimizer = new AdamW(model.parameters(), new HashSet<>(model.decayed()), config.beta1(), config.beta2(),
                config.eps(), config.weightDecay());
        LrSchedule s = new LrSchedule(config.lr(), config.minLr(), config.warmupSteps(), config.maxSteps());
        this.schedule = switches.warmup() ? s : s.withoutWarmup();
        this.train = new ArrayList<>();
        for (Record r : corpus.records(Split.TRAIN)) train.add(Protocol.sequence(r, vocab));
        this.data = data;
        this.dropout = dropout;
        this.step = step;
        this.runDir = runDir;
        this.metrics = runDir == null ? null : new MetricsLog(runDir.resolve("metrics.csv"), step);
    }

    /**
     * A new run. One seed, split into independent generators: initialisation, data order and dropout never
     * share draws, so changing one (say, the dropout rate) does not change the others.
     */
    public static TrainingRun start(TrainConfig config, Switches switches, Corpus corpus, Path runDir) {
        requireBlockSizeFits(config, corpus, "config");
        Rng root = new Rng(config.seed());
        MiniGPT model = new MiniGPT(config.model(corpus.vocab().size()), root.split());
        DataOrder data = new DataOrder(corpus.records(Split.TRAIN).size(), root.nextLong());
        return new TrainingRun(config, switches, corpus, model, data, root.split(), 0, runDir);
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
                int n = Protocol.sequence(r, corpus.vocab()).length - 1; // inputs are one token shorter than the record
                if (n > inputs) { inputs = n; longest = r; }
            }
        }
        if (inputs > config.blockSize()) {
            throw new KitError(where + ": block_size " + config.blockSize() + " is shorter than the longest record ("
                    + longest.id() + " needs " + inputs + " inputs); use block_size " + inputs + " or more");
        }
    }

    /** A run restored from a checkpoint (see {@link minitrain.checkpoint.Checkpoint#load}). */
    public static TrainingRun resume(TrainConfig config, Switches switches, Corpus corpus, MiniGPT model, DataOrder data,
                                     Rng dropout, int step, Path runDir) {
        return new TrainingRun(config, switches, corpus, model, data, dropout, step, runDir);
    }

    public int step() {
        return step;
    }

    public double seconds() {
        return seconds;
    }

    public void restoreSeconds(double s) {
        seconds = s;
    }

    public DataOrder dataOrder() {
        return data;
    }

    public Rng dropoutRng() {
        return dropout;
    }

    /** The next optimizer step's micro-batches, from the run's data order. */
    List<Batch> nextMicroBatches() {
        List<Batch> micro = new ArrayList<>();
        for (int k = 0; k < config.gradAccum(); k++) {
            List<int[]> seqs = new ArrayList<>();
            for (int i : data.next(config.batchSize())) seqs.add(train.get(i));
            micro.add(Batch.of(seqs, vocab.padId, config.blockSize()));
        }
        return micro;
    }

    void zeroGrad() {
        model.zeroGrad();
    }

    /** Mean NLL per token of a split under the shared protocol (evaluation mode unless switched off). */
    public double loss(Split split) {
        Rng noisy = switches.evalMode() ? null : new Rng(config.seed() + step);
        return Scoring.score(model, corpus.records(split), vocab, config.evalBatch(), noisy).meanNll();
    }

    public Map<String, Tensor> parameters() {
        return model.parameters();
    }
}
