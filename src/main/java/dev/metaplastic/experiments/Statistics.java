package dev.metaplastic.experiments;

import dev.metaplastic.train.AccuracyMatrix;
import java.util.ArrayList;
import java.util.List;

/** The summaries protocols and their reports compute over runs and seeds. */
public final class Statistics {
  private Statistics() {}

  /** The mean; NaN for no values. */
  public static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** Sample standard deviation; 0 for a single value. */
  public static double sd(List<Double> values) {
    double mean = mean(values);
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    return values.size() > 1 ? Math.sqrt(ss / (values.size() - 1)) : 0;
  }

  /**
   * The fraction of the fine-tuning → joint-training gap that average accuracy {@code average}
   * recovers: (A − A_finetune) / (A_joint − A_finetune).
   */
  public static double gapRecovered(double average, double finetune, double joint) {
    return (average - finetune) / (joint - finetune);
  }

  /** Average accuracy over the tasks seen so far, after each task: (1/(i+1)) Σ_{j≤i} R_ij. */
  public static double[] averageCurve(AccuracyMatrix m) {
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

  /** The mean of the {@link #averageCurve}s of matrices over the same tasks. */
  public static double[] meanCurve(List<AccuracyMatrix> matrices) {
    double[] mean = new double[matrices.get(0).tasks()];
    for (AccuracyMatrix m : matrices) {
      double[] curve = averageCurve(m);
      for (int i = 0; i < mean.length; i++) {
        mean[i] += curve[i] / matrices.size();
      }
    }
    return mean;
  }

  /** The element-wise mean of accuracy matrices over the same tasks, such as one per seed. */
  public static AccuracyMatrix meanMatrix(List<AccuracyMatrix> matrices) {
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
}
