package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.train.TrainerConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options that choose the model, optimizer and rule hyperparameters, shared by the commands that
 * train.
 */
final class TrainingOptions {
  @Mixin OptimizerOptions optimizer;
  @Mixin RuleOptions rule;

  @Option(
      names = "--hidden",
      split = ",",
      defaultValue = "256,256",
      description = "Hidden layer widths. Default: ${DEFAULT-VALUE}.")
  List<Integer> hidden;

  @Option(
      names = "--epochs",
      defaultValue = "2",
      description = "Epochs per task. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(
      names = "--batch",
      defaultValue = "256",
      description = "Batch size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--binarized",
      description =
          "Train a binarized network (binary weights and activations with batch normalization)"
              + " instead of a real-valued one.")
  boolean binarized;

  /** A trainer configuration with {@code rules}. */
  TrainerConfig trainerConfig(List<RuleConfig> rules, long seed) {
    OptimizerConfig chosen = optimizer.config();
    return InvalidInputException.validating(
        "",
        () ->
            new TrainerConfig(
                hidden, epochs, batch, chosen, new ArrayList<>(rules), seed, binarized));
  }
}
