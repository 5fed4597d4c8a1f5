package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.files.StagedFile;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.TrainerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic compare}: every chosen method trained on the same stream with the same seed
 * and network, in one run, with fine-tuning as the lower bound and joint training as the upper.
 * Writes a markdown table and PNG plots.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description =
        "Train several consolidation rules on the same stream, seed and network; write a markdown"
            + " table and PNG plots.")
final class CompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StreamOptions streamOptions;
  @Mixin TrainingOptions training;
  @Mixin ProgressOptions progress;

  @Option(
      names = "--rules",
      split = ",",
      completionCandidates = RuleOptions.Names.class,
      description =
          "Methods to compare: finetune, joint, and any of ${COMPLETION-CANDIDATES}, alone or"
              + " joined with + to share a graph (such as ewc+neuromod-lr). Default: finetune,joint,si,ewc,online-ewc,mas,benna-fusi; with --binarized"
              + " (metaplastic vs plain binarized network): finetune,joint,meta.")
  List<String> methods;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the stream, the weights and the minibatch order. Default: 0.")
  long seed;

  @Option(
      names = "--seeds",
      split = ",",
      description =
          "Several seeds, one run of every method each; the table gives mean ± sd over them and"
              + " the plots the means. Replaces --seed.")
  List<Long> seeds;

  @Option(
      names = "--out",
      description = "Output directory for the table and plots. Default: out/compare-<stream>.")
  Path out;

  @Override
  public Integer call() {
    boolean binarized = training.binarized;
    List<String> chosen =
        methods != null
            ? methods
            : binarized
                ? List.of("finetune", "joint", "meta")
                : List.of("finetune", "joint", "si", "ewc", "online-ewc", "mas", "benna-fusi");
    PrintWriter pw = spec.commandLine().getOut();
    if (seeds != null && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
      throw new InvalidInputException("give --seed or --seeds, not both");
    }
    List<Long> runSeeds = seeds != null && !seeds.isEmpty() ? seeds : List.of(seed);
    List<String> ruleMethods =
        chosen.stream().filter(m -> !m.equals("finetune") && !m.equals("joint")).toList();
    for (String method : ruleMethods) {
      if (!RuleOptions.isCombination(method)) {
        throw new InvalidInputException(
            "unknown method '"
                + method
                + "'; expected finetune, joint or one of "
                + RuleOptions.cliNames()
                + " (rules may be joined with +, such as ewc+neuromod-lr)");
      }
    }
    training.rule.checkTaken(ruleMethods);
    Map<String, List<MethodResult>> results = new LinkedHashMap<>();
    String header = null;
    String kind = null;
    TaskStream stream = null;
    for (long runSeed : runSeeds) {
      StreamOptions.Opened opened = streamOptions.open(runSeed, pw);
      kind = opened.descriptor().getKind();
      stream = opened.stream();
      Map<String, List<RuleConfig>> rules = new LinkedHashMap<>();
      for (String method : chosen) {
        rules.put(
            method,
            ruleMethods.contains(method)
                ? training.rule.configs(method, kind, binarized)
                : List.of());
      }
      TrainerConfig base = training.trainerConfig(List.of(), runSeed);
      if (header == null) {
        header =
            String.format(
                "%s from %s, %d tasks; model %s; %s; %d epochs per task, batch %d, %s %s",
                stream.name(),
                stream.source(),
                stream.tasks().size(),
                base.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead())
                    .describe(),
                base.optimizer(),
                base.epochs(),
                base.batchSize(),
                runSeeds.size() == 1 ? "seed" : "seeds",
                runSeeds.stream().map(String::valueOf).collect(Collectors.joining(", ")));
        pw.println("compare: " + header);
        pw.flush();
      }
      for (Map.Entry<String, List<RuleConfig>> e : rules.entrySet()) {
        String method = e.getKey();
        MethodResult result = run(method, base.withRules(e.getValue()), stream);
        results.computeIfAbsent(method, k -> new ArrayList<>()).add(result);
        pw.printf(
            "%-11s%s average accuracy %.4f  (%.1f s per task)%n",
            method,
            runSeeds.size() == 1 ? "" : " seed " + runSeed,
            result.averageAccuracy(),
            result.secondsPerTask());
        pw.flush();
      }
    }
    Path dir = out != null ? out : Path.of("out", "compare-" + kind + (binarized ? "-bnn" : ""));
    String table;
    if (runSeeds.size() == 1) {
      List<MethodResult> single = results.values().stream().map(l -> l.get(0)).toList();
      table = ComparisonTable.markdown(single);
      writeReport(dir, header, table, single, stream);
    } else {
      table = ComparisonTable.markdownOverSeeds(results);
      writeReportOverSeeds(dir, header, table, results, stream);
    }
    pw.println();
    pw.print(table);
    pw.printf("%ntable and plots written to %s%n", dir);
    pw.flush();
    return 0;
  }

  private MethodResult run(String method, TrainerConfig config, TaskStream stream) {
    StepTimer timer = new StepTimer(progress.listener(method));
    ContinualTrainer trainer = new ContinualTrainer(config, timer);
    String description =
        config.rules().isEmpty()
            ? "fine-tuning"
            : config.rules().stream().map(Object::toString).collect(Collectors.joining(" + "));
    long start = System.nanoTime();
    if (method.equals("joint")) {
      double[] accuracies = trainer.trainJointly(stream);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new MethodResult(
          method,
          "joint training (all tasks together)",
          null,
          accuracies,
          seconds / stream.tasks().size(),
          timer.secondsPerStep());
    }
    AccuracyMatrix matrix = trainer.run(stream);
    double seconds = (System.nanoTime() - start) / 1e9;
    return new MethodResult(
        method,
        description,
        matrix,
        matrix.finalAccuracies(),
        seconds / matrix.tasks(),
        timer.secondsPerStep());
  }

  /** The report of several seeds: mean accuracy matrices and mean average-accuracy curves. */
  private static void writeReportOverSeeds(
      Path dir,
      String header,
      String table,
      Map<String, List<MethodResult>> results,
      TaskStream stream) {
    List<MethodResult> means = new ArrayList<>();
    results.forEach(
        (method, runs) -> {
          MethodResult first = runs.get(0);
          double[] accuracies = new double[first.finalAccuracies().length];
          for (MethodResult r : runs) {
            for (int i = 0; i < accuracies.length; i++) {
              accuracies[i] += r.finalAccuracies()[i] / runs.size();
            }
          }
          means.add(
              new MethodResult(
                  method,
                  first.description() + ", mean over " + runs.size() + " seeds",
                  first.sequential()
                      ? AccuracyReport.meanMatrix(runs.stream().map(MethodResult::matrix).toList())
                      : null,
                  accuracies,
                  first.secondsPerTask(),
                  first.secondsPerStep()));
        });
    writeReport(dir, header, table, means, stream);
  }

  private static void writeReport(
      Path dir, String header, String table, List<MethodResult> results, TaskStream stream) {
    Map<String, double[]> curves = new LinkedHashMap<>();
    List<String> plots = new ArrayList<>();
    for (MethodResult r : results) {
      if (r.sequential()) {
        String file = "accuracy-matrix-" + r.method() + ".png";
        AccuracyReport.plotMatrix(
            dir.resolve(file), stream.name() + " — " + r.description(), r.matrix());
        plots.add(file);
        curves.put(r.method(), AccuracyReport.averageCurve(r.matrix()));
      } else {
        double[] flat = new double[stream.tasks().size()];
        java.util.Arrays.fill(flat, r.averageAccuracy());
        curves.put(r.method() + " (final, all tasks)", flat);
      }
    }
    AccuracyReport.plotAverages(
        dir.resolve("average-accuracy.png"), stream.name() + " — every method", curves);
    StringBuilder md = new StringBuilder();
    md.append("# Comparison\n\n").append(header).append("\n\n").append(table).append('\n');
    md.append("Tasks: ");
    List<String> names = new ArrayList<>();
    for (Task t : stream.tasks()) {
      names.add(t.name());
    }
    md.append(String.join("; ", names)).append(".\n\n");
    md.append("![average accuracy](average-accuracy.png)\n\n");
    plots.forEach(p -> md.append("![").append(p).append("](").append(p).append(")\n"));
    StagedFile.writeString(dir.resolve("compare.md"), "report", md.toString());
  }
}
