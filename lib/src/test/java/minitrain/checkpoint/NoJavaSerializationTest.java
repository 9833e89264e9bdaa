package minitrain.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kit's "no pickle import": nothing in the library may use Java serialization, which runs code on read. */
class NoJavaSerializationTest {

    @Test
    void libraryUsesNoJavaSerialization() {
        Path main = Path.of("src", "main", "java");
        assertTrue(NoJavaSerialization.sourceFiles(main) > 50, "the scan must see the library's sources");
        assertEquals(List.of(), NoJavaSerialization.offenders(main));
    }

    @Test
    void theCheckCatchesAnOffender(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("A.java"), "class A implements java.io.Serializable {}");
        Files.writeString(tmp.resolve("B.java"), "var in = new ObjectInputStream(stream);");
        Files.writeString(tmp.resolve("C.java"), "SafeTensors.read(file);");
        Files.writeString(tmp.resolve("D.java"), "try (var out = new ObjectOutputStream(stream)) {}");
        assertEquals(List.of(tmp.resolve("A.java"), tmp.resolve("B.java"), tmp.resolve("D.java")),
                NoJavaSerialization.offenders(tmp));
    }
}
