package minitrain.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import minitrain.KitError;

/** The verb list the corpus is generated from: lib/src/main/resources/minitrain/corpus/verbs.tsv. */
public final class Lexicon {

    static final String RESOURCE = "/minitrain/corpus/verbs.tsv";
    private static final Set<String> KNOWN_FLAGS = Set.of("dbl", "stat", "ie", "ue", "i", "u>ue");

    private Lexicon() {}

    public static List<Verb> load() {
        try (InputStream in = Lexicon.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new KitError(RESOURCE + ": missing from the library jar");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new KitError(RESOURCE + ": cannot read: " + e.getMessage());
        }
    }

    static List<Verb> parse(String tsv) {
        List<Verb> verbs = new ArrayList<>();
        Set<String> seenEn = new HashSet<>(), seenEs = new HashSet<>();
        String[] lines = tsv.split("\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (line.isBlank() || line.startsWith("#")) continue;
            String where = RESOURCE + ":" + (n + 1) + ": ";
            String[] f = line.split("\t");
            if (f.length < 4) throw new KitError(where + "expected at least 4 tab-separated fields");
            Set<String> flags = new LinkedHashSet<>();
            String base = null, ppEs = null;
            for (String flag : (f.length > 4 ? f[4] : "").split(" ")) {
                if (flag.isEmpty()) continue;
                if (flag.startsWith("base=")) base = flag.substring(5);
                else if (flag.startsWith("pp=")) ppEs = flag.substring(3);
                else if (KNOWN_FLAGS.contains(flag)) flags.add(flag);
                else throw new KitError(where + "unknown flag " + flag);
            }
            if (!seenEn.add(f[0])) throw new KitError(where + "English verb listed twice: " + f[0]);
            if (!seenEs.add(f[3])) throw new KitError(where + "Spanish verb listed twice: " + f[3]);
            verbs.add(new Verb(f[0], f[1].equals("-") ? null : f[1], f[2].equals("-") ? null : f[2],
                    f[3], Set.copyOf(flags), base, ppEs));
        }
        return verbs;
    }
}
