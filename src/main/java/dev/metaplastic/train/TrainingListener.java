package dev.metaplastic.train;

import dev.metaplastic.data.Task;

/**
 * Callbacks from a {@link ContinualTrainer}: progress bars, logs and plots listen here instead of
 * living inside the training loop. Every method does nothing by default.
 */
public interface TrainingListener {
  /** A listener that ignores everything. */
  TrainingListener NONE = new TrainingListener() {};

  /**
   * Training on {@code task}, the {@code index}-th of the stream, starts; it takes {@code steps}.
   */
  default void taskStarted(Task task, int index, long steps) {}

  /** One optimizer step on {@code task} finished. */
  default void stepFinished(Task task, long step, ModelSession.StepResult result) {}

  /**
   * Training on the {@code index}-th task finished and was consolidated; {@code accuracies[j]} is
   * the test accuracy on task j ≤ index.
   */
  default void taskFinished(Task task, int index, double[] accuracies) {}
}
