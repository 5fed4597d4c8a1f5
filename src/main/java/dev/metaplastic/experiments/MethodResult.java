package dev.metaplastic.experiments;

import dev.metaplastic.train.AccuracyMatrix;
import java.util.Arrays;

/**
 * One method's outcome in a run of a protocol: its accuracy matrix (null for joint training, which
 * only has final accuracies), its final accuracy on each task, and its costs.
 *
 * @param method the method's name, as the command line spells it ({@code finetune}, {@code joint},
 *     {@code ewc+neuromod-lr}, a point of a sweep such as {@code ewc-lambda=10})
 * @param description the method with its hyperparameters
 * @param matrix R_ij after each task; null for joint training
 * @param finalAccuracies test accuracy on each task at the end
 * @param secondsPerTask wall time per task, training, estimation, consolidation and tests included
 * @param secondsPerStep mean time of one optimizer step
 */
public record MethodResult(
    String method,
    String description,
    AccuracyMatrix matrix,
    double[] finalAccuracies,
    double secondsPerTask,
    double secondsPerStep) {
  /**
   * A sequential run of {@code method}: its matrix, the final row as final accuracies.
   *
   * @param secondsPerTask wall time per task
   * @param secondsPerStep mean time of one optimizer step
   */
  public static MethodResult sequential(
      Method method, AccuracyMatrix matrix, double secondsPerTask, double secondsPerStep) {
    return new MethodResult(
        method.name(),
        method.description(),
        matrix,
        matrix.finalAccuracies(),
        secondsPerTask,
        secondsPerStep);
  }

  /** Mean final accuracy over all tasks. */
  public double averageAccuracy() {
    return Arrays.stream(finalAccuracies).average().orElse(Double.NaN);
  }

  /** Whether this is a sequential run, with backward transfer and forgetting. */
  public boolean sequential() {
    return matrix != null;
  }
}
