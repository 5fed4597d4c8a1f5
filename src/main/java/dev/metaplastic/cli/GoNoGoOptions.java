package dev.metaplastic.cli;

import dev.metaplastic.episodes.RewardedGoNoGoTask;
import picocli.CommandLine.Option;

/** The options of the Go/No-Go task learned from reward, with reversals. */
final class GoNoGoOptions {
  @Option(
      names = "--cues",
      defaultValue = "4",
      description = "Cues, even. Default: ${DEFAULT-VALUE}.")
  int cues;

  @Option(
      names = "--trials",
      defaultValue = "80",
      description = "Trials per episode. Default: ${DEFAULT-VALUE}.")
  int trials;

  @Option(
      names = "--min-block",
      defaultValue = "15",
      description = "Shortest block between reversals. Default: ${DEFAULT-VALUE}.")
  int minBlock;

  @Option(
      names = "--max-block",
      defaultValue = "25",
      description = "Longest block between reversals. Default: ${DEFAULT-VALUE}.")
  int maxBlock;

  @Option(
      names = "--validity",
      defaultValue = "1",
      description = "Probability that an outcome follows the true rule. Default: ${DEFAULT-VALUE}.")
  double validity;

  /** The task the options describe. */
  RewardedGoNoGoTask task() {
    return new RewardedGoNoGoTask(cues, trials, minBlock, maxBlock, validity);
  }
}
