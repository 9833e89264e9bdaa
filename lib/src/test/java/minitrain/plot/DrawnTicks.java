package minitrain.plot;

import java.awt.Font;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Rectangle2D;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.AxisTickCalculator;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;

/**
 * The tick labels XChart 3.8 actually draws on one axis, with the box each one covers, read after painting.
 * XChart keeps its ticks in package-private parts (Chart.getXAxis/getYAxis, then the axis's tick calculator);
 * the selection and placement below follow AxisTickLabels.paint: a label is drawn when it is not null and its
 * tick lies inside the axis, X labels centred on their tick (rotated as the styler says), Y labels centred
 * vertically on theirs.
 */
final class DrawnTicks {

    /** Two labels closer than this (in pixels) read as one: "1,5412,311". */
    static final double MIN_GAP = 3;

    record Label(String text, double position, Shape box) {}

    private DrawnTicks() {}

    /** Lays the chart out as it is (no style applied here), so that {@link #of} can read its axes. */
    static void paint(Chart<?, ?> chart) {
        BitmapEncoder.getBufferedImage(chart);
    }

    /** The labels drawn on the axis at the chart's last {@link #paint}. */
    static List<Label> of(Chart<?, ?> chart, boolean x) {
        try {
            Method axisOf = Chart.class.getDeclaredMethod(x ? "getXAxis" : "getYAxis");
            axisOf.setAccessible(true);
            Object axis = axisOf.invoke(chart);
            AxisTickCalculator ticks =
                    (AxisTickCalculator) axis.getClass().getMethod("getAxisTickCalculator").invoke(axis);
            Rectangle2D bounds = (Rectangle2D) axis.getClass().getMethod("getBounds").invoke(axis);
            AxesChartStyler s = (AxesChartStyler) chart.getStyler();
            if (x && s.getXAxisLabelAlignment() != AxesChartStyler.TextAlignment.Centre) {
                throw new IllegalStateException("DrawnTicks places X labels centred on their tick only");
            }
            Font font = s.getAxisTickLabelsFont();
            FontRenderContext frc = new FontRenderContext(null, true, true);
            double length = x ? bounds.getWidth() : bounds.getHeight();
            List<Label> drawn = new ArrayList<>();
            for (int i = 0; i < ticks.getTickLabels().size(); i++) {
                String text = ticks.getTickLabels().get(i);
                double at = ticks.getTickLocations().get(i);
                if (text == null || text.isBlank() || !(at > 0 && at < length)) continue;
                Rectangle2D ink = new TextLayout(text, font, frc).getBounds();
                // Widen by half the gap on every side: two boxes then meet when the labels are MIN_GAP apart.
                Rectangle2D padded = new Rectangle2D.Double(-ink.getWidth() / 2 - MIN_GAP / 2,
                        -ink.getHeight() / 2 - MIN_GAP / 2, ink.getWidth() + MIN_GAP, ink.getHeight() + MIN_GAP);
                AffineTransform place = new AffineTransform();
                if (x) {
                    place.translate(at, 0);
                    place.rotate(-Math.toRadians(s.getXAxisLabelRotation()));
                } else {
                    place.translate(0, length - at);
                }
                drawn.add(new Label(text, at, place.createTransformedShape(padded)));
            }
            return drawn;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("XChart's axis internals moved (this reads XChart 3.8): " + e, e);
        }
    }

    /** Pairs of labels whose boxes overlap, as "a / b"; empty when every label stands clear of the others. */
    static List<String> overlaps(List<Label> labels) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                Area both = new Area(labels.get(i).box());
                both.intersect(new Area(labels.get(j).box()));
                if (!both.isEmpty()) {
                    found.add(String.format("'%s' at %.1f px / '%s' at %.1f px", labels.get(i).text(),
                            labels.get(i).position(), labels.get(j).text(), labels.get(j).position()));
                }
            }
        }
        return found;
    }
}
