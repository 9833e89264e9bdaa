package minitrain.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import minitrain.KitError;
import minitrain.corpus.CorpusReader;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes {@link CorpusReader#read}: a shard edited by hand (an editor's BOM, Windows line ends, a pasted
 * line) must load exactly or stop at a one-line error naming the file and the line, never drop a record
 * silently and never show a stack trace.
 */
@Tag("reliability")
class CorpusReaderFuzzTest {

    static Contained contained;

    @BeforeContainer
    static void start() {
        contained = new Contained("jsonl");
    }

    @AfterContainer
    static void report() {
        System.out.println(contained.summary("CorpusReader.read"));
        contained.close();
    }

    @Property
    void everyMutantParsesOrIsOneLineKitError(@ForAll("seeds") Seeds seed,
            @ForAll("mutations") List<Mutation> mutations) {
        byte[] bytes = seed.bytes();
        for (Mutation m : mutations) bytes = m.apply(bytes);
        contained.check("mutant.jsonl", bytes, CorpusReader::read);
    }

    @Example
    void eachSeedDoesWhatItsNameSays() throws Exception {
        for (Seeds s : Seeds.of("jsonl")) {
            Path file = Path.of(CorpusReaderFuzzTest.class.getResource("/minitrain/fuzz/jsonl/" + s.name()).toURI());
            if (s.name().startsWith("ok-")) {
                assertDoesNotThrow(() -> CorpusReader.read(file), s.name());
            } else if (s.name().startsWith("bad-")) {
                KitError e = assertThrows(KitError.class, () -> CorpusReader.read(file), s.name());
                assertFalse(e.getMessage().contains("\n"), s.name() + ": " + e.getMessage());
                // "file:line: message": the line is where the learner opens the file.
                assertTrue(e.getMessage().matches("\\Q" + minitrain.Kit.show(file) + "\\E:\\d+: .*"),
                        s.name() + ": " + e.getMessage());
            } else {
                contained.check(s.name(), s.bytes(), CorpusReader::read);
            }
        }
    }

    @Example
    void windowsLineEndsAndAMissingFinalNewlineKeepEveryRecord() throws Exception {
        for (String name : List.of("ok-crlf.jsonl", "ok-no-final-newline.jsonl")) {
            Path file = Path.of(CorpusReaderFuzzTest.class.getResource("/minitrain/fuzz/jsonl/" + name).toURI());
            List<minitrain.corpus.Record> records = CorpusReader.read(file);
            assertTrue(records.size() == 2 && records.get(1).id().equals("x2"), name + ": " + records);
            assertFalse(records.get(0).verbEs().endsWith("\r"), name);
        }
    }

    @Provide
    Arbitrary<Seeds> seeds() {
        return Arbitraries.of(Seeds.of("jsonl"));
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Arbitraries.frequencyOf(Tuple.of(5, Mutation.bytes()), Tuple.of(5, Mutation.jsonRewrites()))
                .list().ofMinSize(1).ofMaxSize(4);
    }
}
