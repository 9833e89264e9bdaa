package minitrain.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import minitrain.Json;
import minitrain.KitError;
import minitrain.autograd.Nd;
import minitrain.autograd.Tensor;
import minitrain.corpus.Corpus;
import minitrain.corpus.Protocol;
import minitrain.corpus.Record;
import minitrain.corpus.Split;
import minitrain.checkpoint.PublishedModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static Corpus corpus;

    @BeforeAll
    static void load() {
        corpus = Corpus.load(ROOT.resolve("corpus"));
    }

    static final String TINY = "{\"n_layer\":1,\"n_head\":2,\"n_embd\":16,\"dropout\":0.1,\"batch_size\":8,"
            + "\"max_steps\":8,\"warmup_steps\":2,\"eval_every\":100000,\"ckpt_every\":4,\"seed\":21}";

    @Test
    void saveReloadForwardIsByteIdentical(@TempDir Path tmp) {
        TrainingRun r = TrainingRun.start(TrainConfig.fromJson(TINY, "test"), Switches.ALL_ON, corpus,
                tmp.resolve("run"));
        TrainingLoop.run(r, TrainingLoop.Listener.NONE);
        Path file = PublishedModel.publish(tmp.resolve("models"), r.model(), r.vocab(), Map.of("note", "test"));
        assertTrue(file.getFileName().toString().matches("minigpt-phase18-[0-9a-f]{12}\\.safetensors"));
        assertEquals(Corpus.sha256(file).substring(0, 12), file.getFileName().toString().substring(16, 28));
        PublishedModel back = PublishedModel.load(file);
        List<int[]> seqs = new ArrayList<>();
        for (Record rec : corpus.records(Split.VAL).subList(0, 40)) seqs.add(Protocol.sequence(rec, corpus.vocab()));
        Batch b = Batch.of(seqs, corpus.vocab().padId, 64);
        Tensor before = r.model().evaluate(b.idx(), b.real()), after = back.model().evaluate(b.idx(), b.real());
        double[] x = Nd.values(before.data), y = Nd.values(after.data);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), "logit " + i);
        }
    }

    /** A model file copied without its manifest, and a training checkpoint, are read from their own metadata. */
    @Test
    void aModelFileAloneAndACheckpointDescribeThemselves(@TempDir Path tmp) throws Exception {
        TrainingRun r = TrainingRun.start(TrainConfig.fromJson(TINY, "test"), Switches.ALL_ON, corpus,
                tmp.resolve("run"));
        TrainingLoop.run(r, TrainingLoop.Listener.NONE);
        Path published = PublishedModel.publish(tmp.resolve("models"), r.model(), r.vocab(), Map.of());
        Path alone = Files.createDirectories(tmp.resolve("alone")).resolve(published.getFileName());
        Files.copy(published, alone);
        Path ckpt = Checkpoint.fileFor(tmp.resolve("run"), 8);
        double[] expected = Nd.values(r.model().parameters().get("transformer.wte.weight").data);
        for (Path file : List.of(alone, ckpt)) {
            PublishedModel m = PublishedModel.load(file);
            assertEquals(Corpus.sha256(file), m.sha256());
            assertTrue(m.manifest().isEmpty(), "no manifest beside " + file.getFileName());
            assertEquals(r.vocab().tokens(), m.vocab().tokens());
            assertArrayEquals(expected, Nd.values(m.model().parameters().get("transformer.wte.weight").data), 0.0);
        }
    }

    /** Leaving a part out is an experiment: the run stays in memory and the run folder is left as it was. */
    @Test
    void aPartialRestoreWritesNothingIntoTheRunFolder(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        TrainingRun r = TrainingRun.start(TrainConfig.fromJson(TINY, "test"), Switches.ALL_ON, corpus, dir);
        TrainingLoop.run(r, TrainingLoop.Listener.NONE);
        byte[] metrics = Files.readAllBytes(dir.resolve("metrics.csv"));
        TrainingRun partial = Checkpoint.load(Checkpoint.fileFor(dir, 4), corpus, Switches.ALL_ON,
                java.util.EnumSet.of(Checkpoint.Part.MOMENTS, Checkpoint.Part.DATA_ORDER));
        assertNull(partial.runDir());
        assertEquals(0, partial.step(), "the step was left out");
        TrainingLoop.run(partial, TrainingLoop.Listener.NONE);
        assertArrayEquals(metrics, Files.readAllBytes(dir.resolve("metrics.csv")));
        assertNotNull(Checkpoint.load(Checkpoint.fileFor(dir, 4), corpus).runDir(), "a full restore continues the run");
    }

    @Test
    void aChangedModelFileIsRefused(@TempDir Path tmp) throws Exception {
        TrainingRun r = TrainingRun.start(TrainConfig.fromJson(TINY, "test"), Switches.ALL_ON, corpus, null);
        Path file = PublishedModel.publish(tmp, r.model(), r.vocab(), Map.of());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
        KitError e = assertThrows(KitError.class, () -> PublishedModel.load(file));
        assertTrue(e.getMessage().contains("differs from its manifest"), e.getMessage());
    }

    /**
     * 8 steps straight, versus the 4-step checkpoint of the same run resumed in a new JVM: the final
     * checkpoints (weights, AdamW moments and every metadata value) are the same bytes.
     */
    @Test
    void resumeInANewJvmIsByteIdentical(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        TrainingRun straight = TrainingRun.start(TrainConfig.fromJson(TINY, "test"), Switches.ALL_ON, corpus, a);
        TrainingLoop.run(straight, TrainingLoop.Listener.NONE);
        Files.createDirectories(b);
        Files.copy(Checkpoint.fileFor(a, 4), Checkpoint.fileFor(b, 4));
        Files.writeString(b.resolve("run.json"),
                Json.pretty(Map.of("corpus", "corpus", "models", tmp.resolve("models").toString())));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-Dminitrain.home=" + ROOT, "minitrain.cli.Main",
                "resume", b.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertArrayEquals(Files.readAllBytes(Checkpoint.fileFor(a, 8)), Files.readAllBytes(Checkpoint.fileFor(b, 8)));
    }

    @Test
    void aCheckpointFromAnotherCorpusIsRefused(@TempDir Path tmp) throws Exception {
        TrainingRun r = TrainingRun.start(TrainConfig.fromJson(TINY, "test"), Switches.ALL_ON, corpus, tmp);
        Checkpoint.save(r);
        Path other = tmp.resolve("other");
        Files.createDirectories(other.resolve("shards"));
        Files.copy(ROOT.resolve("corpus/shards/verbs-00.jsonl"), other.resolve("shards/verbs-00.jsonl"));
        Files.copy(ROOT.resolve("corpus/vocab.json"), other.resolve("vocab.json"));
        Files.writeString(other.resolve("MANIFEST.json"), "{\"different\": true}\n");
        KitError e = assertThrows(KitError.class,
                () -> Checkpoint.load(Checkpoint.fileFor(tmp, 0), Corpus.load(other)));
        assertTrue(e.getMessage().contains("trained on corpus"), e.getMessage());
    }
}
