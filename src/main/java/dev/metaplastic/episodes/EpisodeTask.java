package dev.metaplastic.episodes;

import java.util.OptionalInt;
import java.util.Random;

/**
 * A generated family of episodes for a recurrent network that has to learn within each episode.
 *
 * <p>Every call of {@link #sample} draws fresh episodes; the episodes are a function of the task's
 * sizes and of the draws taken from the given {@link Random}, so the same seed gives the same
 * arrays.
 */
public interface EpisodeTask {
  /** Short name, as accepted by {@link EpisodeTasks#named}. */
  String name();

  /** Number of input channels per step. */
  int inputSize();

  /** Number of target channels per step. */
  int outputSize();

  /** Number of steps of every episode. */
  int steps();

  /** How the targets are scored. */
  Episodes.Kind kind();

  /**
   * The input channel that carries the task's reward or feedback, which a reward-modulated
   * plasticity reads; empty (the default) for a task without one.
   */
  default OptionalInt rewardChannel() {
    return OptionalInt.empty();
  }

  /**
   * Draws a batch of episodes.
   *
   * @param batch number of episodes, at least 1
   * @param random source of every random choice
   * @return {@code batch} episodes of {@link #steps()} steps
   * @throws IllegalArgumentException if {@code batch} is not positive or the arrays would be too
   *     large
   */
  Episodes sample(int batch, Random random);

  /** One line saying what the task is and its sizes. */
  String describe();
}
