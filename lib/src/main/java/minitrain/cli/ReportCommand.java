package minitrain.cli;

import java.nio.file.Path;
import java.util.List;
import minitrain.Kit;
import minitrain.KitError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code minitrain report}: writes PHASE_18_REPORT.md from the phase's files. The exit status is non-zero
 * when an item is not ticked, so {@code make phase} fails loudly instead of leaving a half-done report.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write PHASE_18_REPORT.md, every Definition-of-Done item decided by code.")
public final class ReportCommand implements Runnable {

    @Option(names = "--models", description = "Folder of published models (default: models/).")
    Path models;

    @Option(names = "--notebooks", description = "Folder of executed notebooks (default: experiments/notebooks/).")
    Path notebooks;

    @Option(names = "--out", description = "Report file (default: PHASE_18_REPORT.md at the kit's root).")
    Path out;

    @Override
    public void run() {
        Path root = Kit.root();
        Path file = out != null ? out : root.resolve("PHASE_18_REPORT.md");
        List<PhaseReport.Item> items = new PhaseReport(root, models != null ? models : root.resolve("models"),
                notebooks != null ? notebooks : root.resolve("experiments/notebooks"), file).write();
        items.forEach(i -> System.out.println((i.done() ? "[x] " : "[ ] ") + i.claim()));
        long done = items.stream().filter(PhaseReport.Item::done).count();
        if (done < items.size()) {
            throw new KitError(file + ": " + done + " of " + items.size()
                    + " Definition-of-Done items ticked; the unticked ones say why");
        }
        System.out.println("wrote " + file + ": all " + items.size() + " items ticked");
    }
}
