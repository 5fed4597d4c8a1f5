package dev.metaplastic.cli;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.episodes.RewardedGoNoGoTask;
import dev.metaplastic.experiments.NeuromodStudy;
import dev.metaplastic.graphs.EpisodeTrainingGraph;
import dev.metaplastic.graphs.GoNoGoTrainingGraph;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import picocli.CommandLine.Option;

/** The recurrent actor-critic agents' size and training, as options. */
final class ActorCriticOptions {
  @Option(
      names = "--hidden",
      defaultValue = "32",
      description = "Recurrent units. Default: ${DEFAULT-VALUE}.")
  int hidden;

  @Option(
      names = "--episodes",
      defaultValue = "1500",
      description = "Training steps, each on a fresh batch of episodes. Default: ${DEFAULT-VALUE}.")
  int steps;

  @Option(
      names = "--batch",
      defaultValue = "32",
      description = "Episodes per step. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--lr",
      defaultValue = "0.003",
      description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  @Option(
      names = "--entropy",
      defaultValue = "0.05",
      description = "Weight c_H of the entropy bonus. Default: ${DEFAULT-VALUE}.")
  double entropy;

  @Option(
      names = "--eval-every",
      defaultValue = "100",
      description = "Evaluate every this many steps. Default: ${DEFAULT-VALUE}.")
  int evalEvery;

  /**
   * The study's settings on {@code task}: Adam, value weight 0.5, the episode graphs' clip norm.
   *
   * @throws IllegalArgumentException if a count is not positive
   */
  NeuromodStudy.Settings settings(RewardedGoNoGoTask task, SessionOptions sessionOptions) {
    checkArgument(steps > 0, "--episodes must be positive, got %s", steps);
    checkArgument(batch > 0, "--batch must be positive, got %s", batch);
    checkArgument(evalEvery > 0, "--eval-every must be positive, got %s", evalEvery);
    GoNoGoTrainingGraph.Config training =
        new GoNoGoTrainingGraph.Config(
            OptimizerConfig.Adam.withLearningRate(learningRate),
            0.5,
            entropy,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM);
    return new NeuromodStudy.Settings(
        task, hidden, steps, batch, evalEvery, training, sessionOptions);
  }
}
