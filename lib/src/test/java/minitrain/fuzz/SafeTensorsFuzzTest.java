package minitrain.fuzz;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import minitrain.KitError;
import minitrain.checkpoint.SafeTensors;
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
 * Fuzzes {@link SafeTensors#read}: a checkpoint or a downloaded model is untrusted bytes, and a bad one
 * must end in one line naming the file, never a stack trace or an allocation sized by the file's own claims.
 * Tries: 1500 by default (mvn verify), many more with make fuzz (-Dfuzz.tries=200000).
 */
@Tag("reliability")
class SafeTensorsFuzzTest {

    static Contained contained;

    @BeforeContainer
    static void start() {
        contained = new Contained("safetensors");
    }

    @AfterContainer
    static void report() {
        System.out.println(contained.summary("SafeTensors.read"));
        contained.close();
    }

    @Property
    void everyMutantParsesOrIsOneLineKitError(@ForAll("seeds") Seeds seed,
            @ForAll("mutations") List<Mutation> mutations) {
        byte[] bytes = seed.bytes();
        for (Mutation m : mutations) bytes = m.apply(bytes);
        contained.check("mutant.safetensors", bytes, SafeTensors::read);
    }

    @Example
    void eachSeedDoesWhatItsNameSays() {
        for (Seeds s : Seeds.of("safetensors")) {
            if (s.name().startsWith("ok-")) {
                assertDoesNotThrow(() -> contained.check(s.name(), s.bytes(), SafeTensors::read), s.name());
                assertDoesNotThrow(() -> SafeTensors.read(seedFile(s)), s.name());
            } else if (s.name().startsWith("bad-")) {
                KitError e = assertThrows(KitError.class, () -> SafeTensors.read(seedFile(s)), s.name());
                assertFalse(e.getMessage().contains("\n"), s.name() + ": " + e.getMessage());
                assertTrue(e.getMessage().contains(s.name()), s.name() + ": " + e.getMessage());
            } else {
                contained.check(s.name(), s.bytes(), SafeTensors::read);
            }
        }
    }

    /** The seed's own file on the test class path, so an error message can name it. */
    static Path seedFile(Seeds s) throws URISyntaxException {
        return Path.of(SafeTensorsFuzzTest.class.getResource("/minitrain/fuzz/safetensors/" + s.name()).toURI());
    }

    @Provide
    Arbitrary<Seeds> seeds() {
        return Arbitraries.of(Seeds.of("safetensors"));
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        // Mostly small byte damage and JSON rewrites; a lying header length now and then.
        return Arbitraries.frequencyOf(Tuple.of(5, Mutation.bytes()), Tuple.of(2, Mutation.headerLengths()),
                Tuple.of(5, Mutation.jsonRewrites())).list().ofMinSize(1).ofMaxSize(4);
    }
}
