package dev.metaplastic.experiments.report;

import dev.metaplastic.experiments.Statistics;
import dev.metaplastic.train.AccuracyMatrix;
import java.io.PrintWriter;
import java.util.List;

/** How reports write numbers and accuracy matrices as text. */
public final class Tables {
  private Tables() {}

  /** Prints {@code title}, then the matrix as its {@link AccuracyMatrix#toString() table}. */
  public static void printMatrix(PrintWriter out, String title, AccuracyMatrix m) {
    out.println(title);
    out.println(m);
    out.println();
    out.flush();
  }

  /** Mean and sample standard deviation, formatted as {@code 0.8123 ± 0.0412}. */
  public static String meanStd(List<Double> values) {
    return String.format("%.4f ± %.4f", Statistics.mean(values), Statistics.sd(values));
  }

  /** Mean and sample standard deviation of fractions as percentages: {@code 57 % ± 3 %}. */
  public static String meanStdPercent(List<Double> values) {
    return String.format(
        "%.0f %% ± %.0f %%", 100 * Statistics.mean(values), 100 * Statistics.sd(values));
  }
}
