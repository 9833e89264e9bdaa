package minitrain.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import minitrain.KitError;
import minitrain.checkpoint.AtomicFiles;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/** metrics.csv of a run folder, appended one row per step as training goes (a crash keeps what was logged). */
public final class MetricsLog {

    public static final String HEADER = "step,lr,train_loss,dev_loss,grad_norm,tokens_per_s";
    private final Path file;

    /** Opens the log; rows at or after {@code fromStep} (logged after the checkpoint we resume from) are dropped. */
    public MetricsLog(Path file, int fromStep) {
        this.file = file;
        try {
            List<String> keep = new ArrayList<>(List.of(HEADER));
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.isEmpty() || line.equals(HEADER)) continue;
                    int comma = line.indexOf(',');
                    try {
                        if (Integer.parseInt(line.substring(0, comma)) < fromStep) keep.add(line);
                    } catch (RuntimeException e) {
                        // a row cut off by a crash: dropped, it is recomputed after resuming
                    }
                }
            }
            // Atomic: a disk that fills up here must not leave the log cut in half.
            AtomicFiles.writeString(file, String.join("\n", keep) + "\n");
        } catch (IOException e) {
            throw KitError.in(file, "cannot write metrics: " + e.getMessage());
        }
    }

    public void append(int step, double lr, double trainLoss, Double devLoss, double gradNorm, double tokensPerS) {
        String row = step + "," + lr + "," + trainLoss + "," + (devLoss == null ? "" : devLoss) + "," + gradNorm + ","
                + tokensPerS + "\n";
        try {
            Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw KitError.in(file, "cannot append metrics: " + e.getMessage());
        }
    }

    /** Reads a run's metrics.csv as a table: step is an integer, dev_loss is missing between evaluations. */
    public static Table read(Path file) {
        if (!Files.isRegularFile(file)) throw KitError.in(file, "no metrics file (was the run started?)");
        ColumnType[] types = {ColumnType.INTEGER, ColumnType.DOUBLE, ColumnType.DOUBLE, ColumnType.DOUBLE,
            ColumnType.DOUBLE, ColumnType.DOUBLE};
        try {
            return Table.read().usingOptions(CsvReadOptions.builder(file.toFile()).columnTypes(types)
                    .tableName(file.getParent().getFileName() + " metrics"));
        } catch (RuntimeException e) {
            throw KitError.in(file, "not a metrics file with the columns " + HEADER + ": " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }
}
