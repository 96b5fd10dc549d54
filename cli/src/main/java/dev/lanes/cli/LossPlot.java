package dev.lanes.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The training curves as one PNG: mean training loss and held-out accuracy per epoch, side by side. */
final class LossPlot {
    private LossPlot() {
    }

    /** The file a plot named {@code given} goes to: {@code given}, with {@code .png} added if it has no such ending. */
    static Path file(Path given) {
        return given.toString().toLowerCase(Locale.ROOT).endsWith(".png") ? given
                : given.resolveSibling(given.getFileName() + ".png");
    }

    /**
     * @param file where the PNG goes, ending in .png (see {@link #file})
     * @param curve rows of {epoch, loss, accuracy}
     * @param title what was trained, shown above the loss curve
     */
    static void write(Path file, List<double[]> curve, String title) throws IOException {
        double[] epoch = new double[curve.size()];
        double[] loss = new double[curve.size()];
        double[] accuracy = new double[curve.size()];
        for (int i = 0; i < curve.size(); i++) {
            epoch[i] = curve.get(i)[0];
            loss[i] = curve.get(i)[1];
            accuracy[i] = 100 * curve.get(i)[2];
        }
        XYChart lossChart = new XYChartBuilder().width(560).height(400).title(title)
                .xAxisTitle("epoch").yAxisTitle("mean loss").build();
        lossChart.addSeries("loss", epoch, loss);
        XYChart accChart = new XYChartBuilder().width(560).height(400).title("held-out accuracy")
                .xAxisTitle("epoch").yAxisTitle("%").build();
        accChart.addSeries("accuracy", epoch, accuracy);
        for (XYChart c : List.of(lossChart, accChart)) {
            c.getStyler().setLegendVisible(false);
            c.getStyler().setChartTitleVisible(true);
        }
        // XChart adds no extension to a name that already ends in .png, in any case.
        BitmapEncoder.saveBitmap(List.of(lossChart, accChart), 1, 2, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
