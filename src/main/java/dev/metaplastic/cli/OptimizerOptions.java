package dev.metaplastic.cli;

import dev.metaplastic.graphs.OptimizerConfig;
import picocli.CommandLine.Option;

/** The options that choose the optimizer: {@code --optimizer} and {@code --lr}. */
final class OptimizerOptions {
  @Option(
      names = "--optimizer",
      defaultValue = "adam",
      description = "sgd or adam. Default: ${DEFAULT-VALUE}.")
  String optimizer;

  @Option(
      names = "--lr",
      defaultValue = "0.001",
      description = "Learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  /** The optimizer chosen on the command line. */
  OptimizerConfig config() {
    return switch (optimizer) {
      case "sgd" -> new OptimizerConfig.Sgd(learningRate);
      case "adam" -> OptimizerConfig.Adam.withLearningRate(learningRate);
      default ->
          throw new IllegalArgumentException(
              "unknown optimizer '" + optimizer + "'; expected sgd or adam");
    };
  }
}
