package minitrain.cli;

import java.io.PrintWriter;
import minitrain.KitError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/minitrain}: the kit's command line. Each subcommand is one small class in this package.
 * Errors are one line on stderr and a non-zero exit status, never a stack trace.
 */
@Command(name = "minitrain",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Phase 18 kit: corpus, n-gram baseline, MiniGPT training, checkpoints, drift, MLflow.",
        subcommands = {
            CommandLine.HelpCommand.class,
            CorpusCommand.class,
            BaselineCommand.class,
            TrainCommand.class,
            ResumeCommand.class,
            EvalCommand.class,
            InspectCommand.class,
            DriftCommand.class,
            TrackCommand.class,
            ReportCommand.class,
            BenchCommand.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit status (tests call this, not main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((ex, argv) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("minitrain: " + ex.getMessage().lines().findFirst().orElse("bad arguments")
                    + " (see 'minitrain --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof KitError) {
                err.println("minitrain: " + ex.getMessage());
                return 1;
            }
            // Unexpected: still one line for the learner; the class name tells a developer where to look.
            err.println("minitrain: internal error: " + ex);
            return 70;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        // No subcommand: show what there is.
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"minitrain " + minitrain.Kit.version()};
        }
    }
}
