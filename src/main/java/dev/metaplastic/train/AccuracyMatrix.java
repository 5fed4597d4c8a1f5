package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * Test accuracy on every task seen so far after training each task: {@code get(i, j)} is R_ij, the
 * accuracy on task j after training task i (j ≤ i), as in Lopez-Paz &amp; Ranzato (2017).
 *
 * <pre>{@code
 * AccuracyMatrix m = new ContinualTrainer(config, TrainingListener.NONE).run(stream);
 * System.out.println(m); // the table below
 * double bwt = m.backwardTransfer(); // R_{T-1,j} - R_jj, averaged over the earlier tasks
 * }</pre>
 *
 * <p>{@link #toString()} is the table the command line prints; from the README's quick start (split
 * Fashion-MNIST, SI, seed 0):
 *
 * <pre>
 * after task       task 0   task 1   task 2   task 3   task 4
 * 0                0.9830
 * 1                0.9175   0.9675
 * 2                0.8935   0.9540   0.9990
 * 3                0.8770   0.9590   0.9995   0.9995
 * 4                0.8935   0.9550   1.0000   1.0000   0.9975
 * average accuracy 0.9692   backward transfer -0.0251   forgetting 0.0253
 * </pre>
 */
public final class AccuracyMatrix {
  private final List<String> taskNames;
  private final double[][] rows;

  /**
   * @param taskNames name of each task
   * @param rows row i holds the accuracies on tasks 0..i after training task i
   */
  public AccuracyMatrix(List<String> taskNames, double[][] rows) {
    checkArgument(
        rows.length == taskNames.size(),
        "expected %s rows, one per task, got %s",
        taskNames.size(),
        rows.length);
    for (int i = 0; i < rows.length; i++) {
      checkArgument(rows[i].length == i + 1, "row %s must have %s entries", i, i + 1);
    }
    this.taskNames = List.copyOf(taskNames);
    this.rows = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      this.rows[i] = rows[i].clone();
    }
  }

  /** Number of tasks. */
  public int tasks() {
    return rows.length;
  }

  /** Name of task j. */
  public String taskName(int j) {
    return taskNames.get(j);
  }

  /** R_ij: accuracy on task j after training task i; requires j ≤ i. */
  public double get(int i, int j) {
    checkArgument(j <= i, "task %s is not trained yet after task %s", j, i);
    return rows[i][j];
  }

  /** The last row: the accuracy on every task after the last one, R_{T−1,j} for each j. */
  public double[] finalAccuracies() {
    return rows[rows.length - 1].clone();
  }

  /** Average accuracy over all tasks after the last one: (1/T) Σ_j R_{T−1,j}. */
  public double averageAccuracy() {
    double sum = 0;
    int last = rows.length - 1;
    for (int j = 0; j <= last; j++) {
      sum += rows[last][j];
    }
    return sum / rows.length;
  }

  /**
   * Backward transfer: (1/(T−1)) Σ_{j&lt;T−1} (R_{T−1,j} − R_{jj}); negative when learning later
   * tasks hurt earlier ones. Zero for a single task.
   */
  public double backwardTransfer() {
    int last = rows.length - 1;
    if (last == 0) {
      return 0;
    }
    double sum = 0;
    for (int j = 0; j < last; j++) {
      sum += rows[last][j] - rows[j][j];
    }
    return sum / last;
  }

  /**
   * Forgetting (Chaudhry et al. 2018): (1/(T−1)) Σ_{j&lt;T−1} (max_{i&lt;T−1} R_ij − R_{T−1,j}),
   * the average drop from each earlier task's best accuracy. Zero for a single task.
   */
  public double forgetting() {
    int last = rows.length - 1;
    if (last == 0) {
      return 0;
    }
    double sum = 0;
    for (int j = 0; j < last; j++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int i = j; i < last; i++) {
        best = Math.max(best, rows[i][j]);
      }
      sum += best - rows[last][j];
    }
    return sum / last;
  }

  /**
   * The matrix as a table, one line per trained task (R_ij in column j), then a line with the
   * average accuracy, backward transfer and forgetting; lines end with the platform's separator,
   * the last one without.
   */
  @Override
  public String toString() {
    StringBuilder table = new StringBuilder(String.format("%-14s", "after task"));
    for (int j = 0; j < tasks(); j++) {
      table.append(String.format("%9s", "task " + j));
    }
    table.append(System.lineSeparator());
    for (int i = 0; i < tasks(); i++) {
      table.append(String.format("%-14s", i));
      for (int j = 0; j <= i; j++) {
        table.append(String.format("%9.4f", rows[i][j]));
      }
      table.append(System.lineSeparator());
    }
    return table
        .append(
            String.format(
                "average accuracy %.4f   backward transfer %+.4f   forgetting %.4f",
                averageAccuracy(), backwardTransfer(), forgetting()))
        .toString();
  }
}
