package minitrain.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import minitrain.checkpoint.SafeTensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code minitrain inspect FILE}: the tensors and metadata of a safetensors file, or why it is invalid. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "List a safetensors file's tensors and metadata.")
public final class InspectCommand implements Runnable {

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public void run() {
        SafeTensors.Contents c = SafeTensors.read(file);
        long bytes = 0;
        for (Map.Entry<String, SafeTensors.Entry> e : c.entries().entrySet()) {
            SafeTensors.Entry en = e.getValue();
            System.out.printf("%-45s %-5s %s%n", e.getKey(), en.dtype(), Arrays.toString(en.shape()));
            bytes += en.end() - en.begin();
        }
        System.out.printf("%d tensors, %d bytes of data%n", c.entries().size(), bytes);
        c.metadata().forEach((k, v) -> System.out.printf("metadata %s = %s%n", k, v.length() > 200 ? v.substring(0, 200) + "..." : v));
    }
}
