package dev.metaplastic.experiments;

import dev.metaplastic.episodes.Episodes;
import java.util.OptionalInt;

/**
 * One rule's outcome in a {@link PlasticComparison}.
 *
 * @param rule the rule as the command line spells it
 * @param description the network, such as {@code hebbian rnn 17-64-8 x13}
 * @param kind classification (metric: accuracy) or regression (metric: MSE)
 * @param evalSteps the training steps after which the network was evaluated
 * @param metrics the metric on the evaluation set after each of {@code evalSteps}
 * @param secondsPerStep mean wall time of one optimizer step (the first, warm-up, left out)
 * @param reversal adaptation after the go/no-go reversal, or null for the other tasks
 * @param failure why training stopped early (a NaN loss), or null when it ran to the end
 */
public record EpisodeResult(
    String rule,
    String description,
    Episodes.Kind kind,
    int[] evalSteps,
    double[] metrics,
    double secondsPerStep,
    ReversalAdaptation reversal,
    String failure) {
  /** Accuracy a classification run must reach for {@link #stepsToCriterion}. */
  public static final double ACCURACY_CRITERION = 0.9;

  /** MSE a regression run must get down to for {@link #stepsToCriterion}. */
  public static final double MSE_CRITERION = 0.1;

  /**
   * Mean number of steps after the reversal before the criterion holds again, over the evaluation
   * episodes that reach it, and the accuracy just before and just after the reversal.
   *
   * @param meanSteps mean of {@code GoNoGoReversalTask.stepsToCriterion} over the episodes that
   *     reach it (NaN if none does)
   * @param reached number of episodes that reach the criterion after the reversal
   * @param episodes number of evaluation episodes
   * @param accuracyBefore accuracy over the scored steps in the {@link
   *     PlasticComparison#REVERSAL_SPAN} steps before each episode's reversal: what the network
   *     knows of the first rule
   * @param accuracyAfter accuracy over the scored steps in the {@link
   *     PlasticComparison#REVERSAL_SPAN} steps from each episode's reversal on: how much of the
   *     flipped rule it has picked up
   */
  public record ReversalAdaptation(
      double meanSteps, int reached, int episodes, double accuracyBefore, double accuracyAfter) {}

  /** The metric at the last evaluation, NaN if there was none. */
  public double finalMetric() {
    return metrics.length == 0 ? Double.NaN : metrics[metrics.length - 1];
  }

  /** The first evaluation step whose metric meets the criterion, if any. */
  public OptionalInt stepsToCriterion() {
    for (int i = 0; i < metrics.length; i++) {
      boolean met =
          kind == Episodes.Kind.CLASSIFICATION
              ? metrics[i] >= ACCURACY_CRITERION
              : metrics[i] <= MSE_CRITERION;
      if (met) {
        return OptionalInt.of(evalSteps[i]);
      }
    }
    return OptionalInt.empty();
  }
}
