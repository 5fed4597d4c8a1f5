package dev.metaplastic.cli;

import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.train.TrainerConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options that choose the model, optimizer and rule, shared by the commands that train. */
final class TrainingOptions {
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
      names = "--optimizer",
      defaultValue = "adam",
      description = "sgd or adam. Default: ${DEFAULT-VALUE}.")
  String optimizer;

  @Option(
      names = "--lr",
      defaultValue = "0.001",
      description = "Learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  @Option(
      names = "--c",
      description = "SI strength c. Default: 1.0 on split streams, 0.1 on permuted streams.")
  Double c;

  @Option(
      names = "--xi",
      description = "SI damping xi. Default: 0.001 on split streams, 0.1 on permuted streams.")
  Double xi;

  /** The optimizer chosen on the command line. */
  OptimizerConfig optimizerConfig() {
    return switch (optimizer) {
      case "sgd" -> new OptimizerConfig.Sgd(learningRate);
      case "adam" -> OptimizerConfig.Adam.withLearningRate(learningRate);
      default ->
          throw new IllegalArgumentException(
              "unknown optimizer '" + optimizer + "'; expected sgd or adam");
    };
  }

  /** SI with the paper's defaults for the stream, overridden by --c and --xi. */
  SynapticIntelligence.Config synapticIntelligence(String stream) {
    SynapticIntelligence.Config defaults =
        stream.equals("permuted")
            ? SynapticIntelligence.Config.PERMUTED
            : SynapticIntelligence.Config.SPLIT;
    return new SynapticIntelligence.Config(
        c == null ? defaults.c() : c, xi == null ? defaults.xi() : xi);
  }

  /** A trainer configuration with {@code rules}. */
  TrainerConfig trainerConfig(List<RuleConfig> rules, long seed) {
    return new TrainerConfig(
        hidden, epochs, batch, optimizerConfig(), new ArrayList<>(rules), seed);
  }
}
