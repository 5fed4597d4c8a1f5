package dev.metaplastic.cli;

import dev.metaplastic.files.StagedFile;
import dev.metaplastic.train.AccuracyMatrix;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
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

/** Prints accuracy matrices as tables and draws them as PNG line charts (XChart). */
final class AccuracyReport {
  private AccuracyReport() {}

  /** Prints {@code title}, then the matrix as its {@link AccuracyMatrix#toString() table}. */
  static void printMatrix(PrintWriter out, String title, AccuracyMatrix m) {
    out.println(title);
    out.println(m);
    out.println();
    out.flush();
  }

  /** Average accuracy over the tasks seen so far, after each task: (1/(i+1)) Σ_{j≤i} R_ij. */
  static double[] averageCurve(AccuracyMatrix m) {
    double[] curve = new double[m.tasks()];
    for (int i = 0; i < m.tasks(); i++) {
      double sum = 0;
      for (int j = 0; j <= i; j++) {
        sum += m.get(i, j);
      }
      curve[i] = sum / (i + 1);
    }
    return curve;
  }

  /** Writes a PNG with one line per task: its test accuracy after each task trained. */
  static void plotPerTask(Path file, String title, AccuracyMatrix m) {
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
  static void plotMatrix(Path file, String title, AccuracyMatrix m) {
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
  static void plotAverages(Path file, String title, Map<String, double[]> curves) {
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
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(560)
            .title(title)
            .xAxisTitle("after training task")
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setXAxisDecimalPattern("0");
    return chart;
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

  /** Mean and sample standard deviation, formatted as {@code 0.8123 ± 0.0412}. */
  static String meanStd(List<Double> values) {
    return String.format("%.4f ± %.4f", mean(values), sd(values));
  }

  /** Mean and sample standard deviation of fractions as percentages: {@code 57 % ± 3 %}. */
  static String meanStdPercent(List<Double> values) {
    return String.format("%.0f %% ± %.0f %%", 100 * mean(values), 100 * sd(values));
  }

  static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** Sample standard deviation; 0 for a single value. */
  static double sd(List<Double> values) {
    double mean = mean(values);
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    return values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : 0;
  }

  /** The element-wise mean of accuracy matrices over the same tasks, such as one per seed. */
  static AccuracyMatrix meanMatrix(List<AccuracyMatrix> matrices) {
    AccuracyMatrix first = matrices.get(0);
    double[][] rows = new double[first.tasks()][];
    List<String> names = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      names.add(first.taskName(i));
      rows[i] = new double[i + 1];
      for (AccuracyMatrix m : matrices) {
        for (int j = 0; j <= i; j++) {
          rows[i][j] += m.get(i, j) / matrices.size();
        }
      }
    }
    return new AccuracyMatrix(names, rows);
  }

  /**
   * One point of a trade-off chart.
   *
   * @param label the text written beside the point
   * @param x position on the horizontal axis
   * @param y position on the vertical axis
   */
  record Point(String label, double x, double y) {}

  /**
   * Writes a PNG scatter chart of a trade-off: {@code points} joined in order by a line (such as
   * one per rule strength), and {@code references} as separate markers (such as fine-tuning and
   * joint training). Every point is its own legend entry, named by its label, rather than a label
   * written beside it: points of neighbouring strengths often sit too close for text.
   */
  static void plotTradeOff(
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
