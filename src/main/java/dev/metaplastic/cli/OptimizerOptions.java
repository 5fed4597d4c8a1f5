package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
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
      case "sgd" ->
          InvalidInputException.validating("--lr", () -> new OptimizerConfig.Sgd(learningRate));
      case "adam" ->
          InvalidInputException.validating(
              "--lr", () -> OptimizerConfig.Adam.withLearningRate(learningRate));
      default ->
          throw new InvalidInputException(
              "unknown optimizer '" + optimizer + "'; expected sgd or adam");
    };
  }
}
