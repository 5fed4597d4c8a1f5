package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.experiments.ComparisonResult;
import dev.metaplastic.experiments.Demo;
import dev.metaplastic.experiments.ExperimentListener;
import dev.metaplastic.experiments.Method;
import dev.metaplastic.experiments.MethodResult;
import dev.metaplastic.experiments.report.DemoReport;
import dev.metaplastic.ops.RuleConfig;
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
 * {@code metaplastic demo}: split Fashion-MNIST, task-incremental; fine-tuning (lower bound),
 * Synaptic Intelligence and joint training (upper bound) side by side over several seeds.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Split Fashion-MNIST (task-incremental): fine-tuning vs Synaptic Intelligence vs joint"
            + " training, over several seeds.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StreamOptions streamOptions;
  @Mixin TrainingOptions training;
  @Mixin ProgressOptions progress;

  @Option(
      names = "--seeds",
      defaultValue = "3",
      description = "Number of seeds (0, 1, ...). Default: ${DEFAULT-VALUE}.")
  int seeds;

  @Option(
      names = "--out",
      defaultValue = "out/demo",
      description = "Output directory for plots. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Override
  public Integer call() {
    if (seeds < 1) {
      throw new InvalidInputException("--seeds must be at least 1, got " + seeds);
    }
    PrintWriter pw = spec.commandLine().getOut();
    TaskStream stream = streamOptions.open(0, pw).stream();
    RuleConfig si = training.rule.rule("si", streamOptions.stream, false);
    pw.printf(
        "data: %s, %d tasks, from %s%n", stream.name(), stream.tasks().size(), stream.source());
    pw.printf(
        "demo: fine-tuning, SI and joint training, %d epochs per task, batch %d, %s; seeds 0..%d%n",
        training.epochs, training.batch, training.optimizer.config(), seeds - 1);
    pw.flush();
    ComparisonResult result =
        Demo.run(
            stream,
            training.trainerConfig(List.of(), 0),
            si,
            seeds,
            new ExperimentListener() {
              @Override
              public TrainingListener training(Method method, long seed) {
                return progress.listener(DemoReport.label(method.name()));
              }

              @Override
              public void finished(long seed, MethodResult r) {
                pw.printf(
                    "seed %d  %-12s average accuracy %.4f%n",
                    seed,
                    DemoReport.label(r.method()),
                    r.sequential() ? r.matrix().averageAccuracy() : r.averageAccuracy());
                pw.flush();
              }
            });
    DemoReport.write(pw, result, stream, out);
    return 0;
  }
}
