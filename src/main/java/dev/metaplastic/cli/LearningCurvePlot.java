package dev.metaplastic.cli;

import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the learning curves of a plastic comparison: metric vs training steps, one line per rule.
 */
final class LearningCurvePlot {
  private LearningCurvePlot() {}

  static void write(Path file, String title, String metric, List<EpisodeResult> results) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(560)
            .title(title)
            .xAxisTitle("training steps")
            .yAxisTitle(metric + " on the evaluation episodes")
            .build();
    chart.getStyler().setYAxisMin(0.0);
    if (metric.equals("accuracy")) {
      chart.getStyler().setYAxisMax(1.0);
    }
    chart.getStyler().setXAxisDecimalPattern("0");
    for (EpisodeResult r : results) {
      if (r.evalSteps().length == 0) {
        continue;
      }
      double[] xs = new double[r.evalSteps().length];
      double[] ys = new double[xs.length];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = r.evalSteps()[i];
        ys[i] = Double.isFinite(r.metrics()[i]) ? r.metrics()[i] : 0;
      }
      chart.addSeries(r.rule(), xs, ys).setMarker(SeriesMarkers.NONE);
    }
    AccuracyReport.save(chart, file);
  }
}
