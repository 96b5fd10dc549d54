package dev.lanes.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * A bar chart of one run: a group of bars per case (kernel and size), one bar per implementation.
 * Times span from nanoseconds to tens of milliseconds, so the time axis is logarithmic whenever the
 * spread exceeds two decades.
 */
final class Chart {
    private Chart() {
    }

    static void write(List<Result> results, String title, Path png) throws IOException {
        Map<String, List<Result>> cases = Report.byCase(results);
        List<String> labels = new ArrayList<>(cases.keySet());
        TreeSet<String> impls = new TreeSet<>();
        results.forEach(r -> impls.add(r.impl()));
        Map<String, List<Double>> series = new LinkedHashMap<>();
        for (String impl : impls) {
            List<Double> ys = new ArrayList<>();
            for (String c : labels) {
                // A case without this implementation gets an empty slot, so bars stay aligned to their labels.
                ys.add(cases.get(c).stream().filter(r -> r.impl().equals(impl)).map(Result::timeNs)
                        .findFirst().orElse(Double.NaN));
            }
            series.put(impl, ys);
        }
        double min = results.stream().mapToDouble(Result::timeNs).min().orElse(1);
        double max = results.stream().mapToDouble(Result::timeNs).max().orElse(1);

        int width = Math.max(1000, 40 + labels.size() * (12 * impls.size() + 16));
        CategoryChart chart = new CategoryChartBuilder().width(width).height(720).title(title)
                .xAxisTitle("case").yAxisTitle("time per operation (ns, lower is better)").build();
        if (max / min > 100) {
            chart.getStyler().setYAxisLogarithmic(true);
            // Bars start at zero by default, which a log axis cannot show: start a little below the fastest.
            chart.getStyler().setYAxisMin(min / 2);
        }
        chart.getStyler().setXAxisLabelRotation(60);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setOverlapped(false);
        for (Map.Entry<String, List<Double>> s : series.entrySet()) {
            chart.addSeries(s.getKey(), labels, s.getValue());
        }
        if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", png.toFile())) {
            throw new IOException("no PNG writer available for " + png);
        }
    }
}
