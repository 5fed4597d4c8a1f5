package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.TrainerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    List<RuleConfig> si = List.of(training.rule.rule("si", streamOptions.stream, false));
    pw.printf(
        "data: %s, %d tasks, from %s%n", stream.name(), stream.tasks().size(), stream.source());
    pw.printf(
        "demo: fine-tuning, SI and joint training, %d epochs per task, batch %d, %s; seeds 0..%d%n",
        training.epochs, training.batch, training.optimizer.config(), seeds - 1);
    pw.flush();

    Map<String, List<AccuracyMatrix>> results = new LinkedHashMap<>();
    List<Double> joint = new ArrayList<>();
    for (int seed = 0; seed < seeds; seed++) {
      for (List<RuleConfig> rules : List.of(List.<RuleConfig>of(), si)) {
        TrainerConfig config = training.trainerConfig(rules, seed);
        AccuracyMatrix m =
            new ContinualTrainer(config, progress.listener(config.methodName())).run(stream);
        results.computeIfAbsent(config.methodName(), k -> new ArrayList<>()).add(m);
        pw.printf(
            "seed %d  %-12s average accuracy %.4f%n",
            seed, config.methodName(), m.averageAccuracy());
        pw.flush();
      }
      TrainerConfig jointConfig = training.trainerConfig(List.of(), seed);
      double[] bound =
          new ContinualTrainer(jointConfig, progress.listener("joint")).trainJointly(stream);
      joint.add(Arrays.stream(bound).average().orElse(Double.NaN));
      pw.printf("seed %d  %-12s average accuracy %.4f%n", seed, "joint", joint.get(seed));
      pw.flush();
    }
    pw.println();
    Map<String, double[]> curves = new LinkedHashMap<>();
    results.forEach(
        (method, matrices) -> {
          AccuracyReport.printMatrix(
              pw, "Test accuracy after each task, " + method + ", seed 0", matrices.get(0));
          AccuracyReport.plotPerTask(
              out.resolve("accuracy-" + method + ".png"),
              stream.name() + " — " + method + ", seed 0",
              matrices.get(0));
          curves.put(method, meanCurve(matrices));
        });
    pw.printf("Summary over %d seeds (mean ± standard deviation)%n", seeds);
    pw.printf(
        "%-12s %-20s %-20s %-20s%n",
        "method", "average accuracy", "backward transfer", "forgetting");
    results.forEach(
        (method, matrices) ->
            pw.printf(
                "%-12s %-20s %-20s %-20s%n",
                method,
                AccuracyReport.meanStd(
                    matrices.stream().map(AccuracyMatrix::averageAccuracy).toList()),
                AccuracyReport.meanStd(
                    matrices.stream().map(AccuracyMatrix::backwardTransfer).toList()),
                AccuracyReport.meanStd(
                    matrices.stream().map(AccuracyMatrix::forgetting).toList())));
    pw.printf(
        "%-12s %-20s (upper bound: all tasks trained together)%n",
        "joint", AccuracyReport.meanStd(joint));
    Path plot = out.resolve("average-accuracy.png");
    AccuracyReport.plotAverages(plot, stream.name() + " — mean over " + seeds + " seeds", curves);
    pw.printf("plots written to %s%n", out);
    pw.flush();
    return 0;
  }

  private static double[] meanCurve(List<AccuracyMatrix> matrices) {
    double[] mean = new double[matrices.get(0).tasks()];
    for (AccuracyMatrix m : matrices) {
      double[] curve = AccuracyReport.averageCurve(m);
      for (int i = 0; i < mean.length; i++) {
        mean[i] += curve[i] / matrices.size();
      }
    }
    return mean;
  }
}
