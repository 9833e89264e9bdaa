package minitrain.plot;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import minitrain.KitError;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Showing and exporting XChart charts. A notebook shows a chart by making {@link #png} the last value of a
 * cell (both JJava and IJava render a BufferedImage inline); the report embeds the files {@link #save} writes.
 * Both apply the kit's {@link Style} first, so every chart reads the same way.
 */
public final class Charts {

    private Charts() {}

    public static BufferedImage png(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(Style.apply(chart));
    }

    /** Writes {@code base}.png and {@code base}.svg; returns the PNG's path. */
    public static Path save(Chart<?, ?> chart, Path base) {
        try {
            Files.createDirectories(base.toAbsolutePath().getParent());
            Style.apply(chart);
            BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
            VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(),
                    VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return Path.of(base + ".png");
        } catch (IOException e) {
            throw KitError.in(base, "cannot save the chart: " + e.getMessage());
        }
    }
}
