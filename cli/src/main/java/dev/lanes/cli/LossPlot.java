package dev.lanes.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** The training curves as one PNG: mean training loss and held-out accuracy per epoch, side by side. */
final class LossPlot {
    private LossPlot() {
    }

    /**
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
        String name = file.toString();
        String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        BitmapEncoder.saveBitmap(List.of(lossChart, accChart), 1, 2, base, BitmapEncoder.BitmapFormat.PNG);
    }
}
