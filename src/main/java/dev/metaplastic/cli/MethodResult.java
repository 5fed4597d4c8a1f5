package dev.metaplastic.cli;

import dev.metaplastic.train.AccuracyMatrix;
import java.util.Arrays;

/**
 * One method's outcome in a comparison: its accuracy matrix (null for joint training, which only
 * has final accuracies), its final accuracy on each task, and its costs.
 *
 * @param method the method's name, as the command line spells it
 * @param description the method with its hyperparameters
 * @param matrix R_ij after each task; null for joint training
 * @param finalAccuracies test accuracy on each task at the end
 * @param secondsPerTask wall time per task, training, estimation, consolidation and tests included
 * @param secondsPerStep mean time of one optimizer step
 */
record MethodResult(
    String method,
    String description,
    AccuracyMatrix matrix,
    double[] finalAccuracies,
    double secondsPerTask,
    double secondsPerStep) {
  /** Mean final accuracy over all tasks. */
  double averageAccuracy() {
    return Arrays.stream(finalAccuracies).average().orElse(Double.NaN);
  }

  /** Whether this is a sequential run, with backward transfer and forgetting. */
  boolean sequential() {
    return matrix != null;
  }
}
