package minitrain.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The kit's "no pickle import": nothing in the library may use Java serialization, which runs code on read. */
class NoJavaSerializationTest {

    static final Pattern FORBIDDEN = Pattern.compile("\\bSerializable\\b|ObjectInputStream|ObjectOutputStream|readObject\\s*\\(|writeObject\\s*\\(");

    @Test
    void libraryUsesNoJavaSerialization() throws IOException {
        Path main = Path.of("src", "main", "java");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return FORBIDDEN.matcher(Files.readString(p)).find();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).map(Path::toString).toList();
        }
        assertEquals(List.of(), offenders);
    }

    @Test
    void theCheckCatchesAnOffender() {
        assertEquals(true, FORBIDDEN.matcher("class A implements java.io.Serializable {}").find());
        assertEquals(true, FORBIDDEN.matcher("new ObjectInputStream(in)").find());
        assertEquals(false, FORBIDDEN.matcher("SafeTensors.read(file)").find());
    }
}
