package dev.metaplastic.experiments.report;

import dev.metaplastic.experiments.EpisodeResult;
import dev.metaplastic.files.StagedFile;
import dev.metaplastic.train.AccuracyMatrix;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The protocols' charts as PNG files (XChart): accuracy per task, accuracy-matrix heat maps,
 * average-accuracy curves, trade-offs and learning curves. Each file appears complete or not at
 * all.
 */
public final class Charts {
  private Charts() {}

  /** Writes a PNG with one line per task: its test accuracy after each task trained. */
  public static void plotPerTask(Path file, String title, AccuracyMatrix m) {
    XYChart chart = chart(title, "accuracy on each task");
    for (int j = 0; j < m.tasks(); j++) {
      int points = m.tasks() - j;
      double[] xs = new double[points];
      double[] ys = new double[points];
      for (int i = j; i < m.tasks(); i++) {
        xs[i - j] = i;
        ys[i - j] = m.get(i, j);
      }
      chart.addSeries("task " + j + ": " + m.taskName(j), xs, ys).setMarker(SeriesMarkers.CIRCLE);
    }
    save(chart, file);
  }

  /** Writes a PNG heat map of R_ij: row i is after training task i, column j is task j ≤ i. */
  public static void plotMatrix(Path file, String title, AccuracyMatrix m) {
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(760)
            .height(640)
            .title(title)
            .xAxisTitle("accuracy on task")
            .yAxisTitle("after training task")
            .build();
    // One fixed scale, red at 0 and green at 1, so that the maps of a comparison read alike.
    chart
        .getStyler()
        .setShowValue(true)
        .setMin(0.0)
        .setMax(1.0)
        .setRangeColors(
            new Color[] {new Color(0xd7301f), new Color(0xfdd49e), new Color(0x1a9850)});
    chart.getStyler().setHeatMapValueDecimalPattern("0.00");
    List<Integer> tasks = new ArrayList<>();
    for (int i = 0; i < m.tasks(); i++) {
      tasks.add(i);
    }
    List<Number[]> cells = new ArrayList<>();
    for (int i = 0; i < m.tasks(); i++) {
      for (int j = 0; j <= i; j++) {
        cells.add(new Number[] {j, i, m.get(i, j)});
      }
    }
    chart.addSeries("accuracy", tasks, tasks, cells);
    save(chart, file);
  }

  /** Writes a PNG comparing methods: average accuracy over the tasks seen, after each task. */
  public static void plotAverages(Path file, String title, Map<String, double[]> curves) {
    XYChart chart = chart(title, "average accuracy over tasks seen");
    curves.forEach(
        (method, ys) -> {
          double[] xs = new double[ys.length];
          for (int i = 0; i < xs.length; i++) {
            xs[i] = i;
          }
          chart.addSeries(method, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        });
    save(chart, file);
  }

  private static XYChart chart(String title, String yTitle) {
    XYChart chart = lineChart(title, "after training task", yTitle);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    return chart;
  }

  /** A 900 × 560 line chart whose x axis counts (tasks, steps, trials) in whole numbers. */
  static XYChart lineChart(String title, String xTitle, String yTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(560)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setXAxisDecimalPattern("0");
    return chart;
  }

  /** Writes the learning curves of a plastic comparison: metric vs training steps, per rule. */
  public static void plotLearningCurves(
      Path file, String title, String metric, List<EpisodeResult> results) {
    XYChart chart = lineChart(title, "training steps", metric + " on the evaluation episodes");
    chart.getStyler().setYAxisMin(0.0);
    if (metric.equals("accuracy")) {
      chart.getStyler().setYAxisMax(1.0);
    }
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
    save(chart, file);
  }

  /** Writes a chart as a PNG, complete or not at all ({@link StagedFile}). */
  static void save(Chart<?, ?> chart, Path file) {
    try (StagedFile staged = StagedFile.create(file, "plot")) {
      BitmapEncoder.saveBitmap(chart, staged.output(), BitmapEncoder.BitmapFormat.PNG);
      staged.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write plot " + file, e);
    }
  }

  /**
   * One point of a trade-off chart.
   *
   * @param label the text written beside the point
   * @param x position on the horizontal axis
   * @param y position on the vertical axis
   */
  public record Point(String label, double x, double y) {}

  /**
   * Writes a PNG scatter chart of a trade-off: {@code points} joined in order by a line (such as
   * one per rule strength), and {@code references} as separate markers (such as fine-tuning and
   * joint training). Every point is its own legend entry, named by its label, rather than a label
   * written beside it: points of neighbouring strengths often sit too close for text.
   */
  public static void plotTradeOff(
      Path file,
      String title,
      String xTitle,
      String yTitle,
      String series,
      List<Point> points,
      List<Point> references) {
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(640)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setYAxisDecimalPattern("0.00");
    chart
        .addSeries(
            series,
            points.stream().mapToDouble(Point::x).toArray(),
            points.stream().mapToDouble(Point::y).toArray())
        .setMarker(SeriesMarkers.NONE);
    for (Point p : points) {
      chart
          .addSeries(p.label(), new double[] {p.x()}, new double[] {p.y()})
          .setMarker(SeriesMarkers.CIRCLE)
          .setLineStyle(SeriesLines.NONE);
    }
    for (Point r : references) {
      chart
          .addSeries(r.label(), new double[] {r.x()}, new double[] {r.y()})
          .setMarker(SeriesMarkers.DIAMOND)
          .setLineStyle(SeriesLines.NONE);
    }
    save(chart, file);
  }
}
