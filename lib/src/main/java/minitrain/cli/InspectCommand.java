package minitrain.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import minitrain.checkpoint.SafeTensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code minitrain inspect FILE}: the tensors and metadata of a safetensors file, or why it is invalid. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List a safetensors file's tensors and metadata.")
public final class InspectCommand implements Runnable {

    @Parameters(paramLabel = "FILE")
    Path file;

    @picocli.CommandLine.Option(names = "--sha256",
            description = "Also print the sha256 of each tensor's bytes as loaded.")
    boolean digests;

    @Override
    public void run() {
        SafeTensors.Contents c = SafeTensors.read(file);
        long bytes = 0;
        for (Map.Entry<String, SafeTensors.Entry> e : c.entries().entrySet()) {
            SafeTensors.Entry en = e.getValue();
            System.out.printf("%-45s %-5s %s%s%n", e.getKey(), en.dtype(), Arrays.toString(en.shape()),
                    digests ? "  sha256=" + digest(c.tensors().get(e.getKey())) : "");
            bytes += en.end() - en.begin();
        }
        System.out.printf("%d tensors, %d bytes of data%n", c.entries().size(), bytes);
        c.metadata().forEach((k, v) -> {
            String shown = v.length() > 200 ? v.substring(0, 200) + "..." : v;
            System.out.printf("metadata %s = %s%n", k, shown);
        });
    }

    /** sha256 of the tensor's values as little-endian bytes: what it holds after loading, not the file's bytes. */
    static String digest(org.nd4j.linalg.api.ndarray.INDArray a) {
        if (a.length() == 0) return minitrain.corpus.Corpus.sha256(new byte[0]);
        java.nio.ByteBuffer b = a.data().asNio().duplicate();
        b.limit((int) (a.length() * a.dataType().width()));
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return minitrain.corpus.Corpus.sha256(bytes);
    }
}
