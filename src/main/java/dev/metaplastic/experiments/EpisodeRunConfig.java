package dev.metaplastic.experiments;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.episodes.EpisodeTask;
import dev.metaplastic.graphs.OptimizerConfig;

/**
 * The settings every rule of a {@link PlasticComparison} shares.
 *
 * @param task the episodic task
 * @param hidden number of recurrent units
 * @param episodes number of optimizer steps, each on a fresh batch
 * @param batch episodes per step
 * @param optimizer the optimizer
 * @param evalEvery evaluate on the evaluation set every this many steps (and after the last)
 * @param seed seed of the weights and of the training episodes
 */
public record EpisodeRunConfig(
    EpisodeTask task,
    int hidden,
    int episodes,
    int batch,
    OptimizerConfig optimizer,
    int evalEvery,
    long seed) {
  public EpisodeRunConfig {
    checkNotNull(task, "task");
    checkNotNull(optimizer, "optimizer");
    InvalidInputException.check(hidden > 0, "--hidden must be positive, got %s", hidden);
    InvalidInputException.check(episodes > 0, "--episodes must be positive, got %s", episodes);
    InvalidInputException.check(batch > 0, "--batch must be positive, got %s", batch);
    InvalidInputException.check(evalEvery > 0, "--eval-every must be positive, got %s", evalEvery);
  }
}
