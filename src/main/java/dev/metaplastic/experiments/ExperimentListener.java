package dev.metaplastic.experiments;

import dev.metaplastic.train.TrainingListener;

/**
 * What a protocol reports while it runs, for progress bars and console lines; every method has a
 * default that does nothing.
 */
public interface ExperimentListener {
  /** Reports nothing. */
  ExperimentListener NONE = new ExperimentListener() {};

  /** The listener of the run of {@code method} with {@code seed}, such as a progress bar. */
  default TrainingListener training(Method method, long seed) {
    return TrainingListener.NONE;
  }

  /** A run of {@code seed} has finished with {@code result}. */
  default void finished(long seed, MethodResult result) {}
}
