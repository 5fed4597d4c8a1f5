package dev.metaplastic.cli;

import dev.metaplastic.data.TaskStream;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic train}: one continual-learning run with a chosen stream, rule and settings.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a sequence of tasks and report the accuracy matrix.")
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StreamOptions streamOptions;
  @Mixin TrainingOptions training;

  @Option(
      names = "--rule",
      defaultValue = "si",
      description = "Consolidation rule: si or none (fine-tuning). Default: ${DEFAULT-VALUE}.")
  String rule;

  @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--out",
      defaultValue = "out/train",
      description = "Output directory for plots. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--joint", description = "Also train the joint-training upper bound.")
  boolean joint;

  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  boolean noProgress;

  @Override
  public Integer call() {
    PrintWriter pw = spec.commandLine().getOut();
    List<RuleConfig> rules =
        switch (rule) {
          case "si" -> List.of(training.synapticIntelligence(streamOptions.stream));
          case "none" -> List.of();
          default ->
              throw new IllegalArgumentException(
                  "unknown rule '" + rule + "'; expected si or none");
        };
    TrainerConfig config = training.trainerConfig(rules, seed);
    TaskStream stream = streamOptions.open(seed, pw);
    pw.printf(
        "stream %s from %s: %d tasks; model %s; %s; %s%n",
        stream.name(),
        stream.source(),
        stream.tasks().size(),
        config.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead()).describe(),
        config.optimizer(),
        rules.isEmpty() ? "fine-tuning (no rule)" : rules.get(0));
    pw.flush();
    AccuracyMatrix matrix = new ContinualTrainer(config, listener(config.methodName())).run(stream);
    AccuracyReport.printMatrix(
        pw, "Test accuracy after each task (" + config.methodName() + ")", matrix);
    if (joint) {
      double[] bound =
          new ContinualTrainer(config.withRules(List.of()), listener("joint")).trainJointly(stream);
      double mean = java.util.Arrays.stream(bound).average().orElse(Double.NaN);
      pw.printf("joint training (upper bound): average accuracy %.4f%n", mean);
    }
    Path plot = out.resolve("accuracy-" + config.methodName() + ".png");
    AccuracyReport.plotPerTask(plot, stream.name() + " — " + config.methodName(), matrix);
    pw.printf("plot written to %s%n", plot);
    return 0;
  }

  private TrainingListener listener(String method) {
    return noProgress ? TrainingListener.NONE : new ProgressListener(method, System.err);
  }
}
