package dev.metaplastic.experiments.report;

import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.experiments.ComparisonResult;
import dev.metaplastic.experiments.Method;
import dev.metaplastic.experiments.MethodResult;
import dev.metaplastic.experiments.Statistics;
import dev.metaplastic.files.StagedFile;
import dev.metaplastic.train.AccuracyMatrix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The report of a comparison ({@code compare.md}): a markdown table of average accuracy, backward
 * transfer, forgetting, the fraction of the fine-tuning → joint-training gap each method recovers,
 * wall time per task and step time relative to fine-tuning; one accuracy-matrix heat map per
 * sequential method and an average-accuracy chart.
 */
public final class ComparisonReport {
  private ComparisonReport() {}

  /** One line on a finished run; {@code seed} is named when the comparison has several. */
  public static String line(MethodResult result, long seed, boolean severalSeeds) {
    return String.format(
        "%-11s%s average accuracy %.4f  (%.1f s per task)",
        result.method(),
        severalSeeds ? " seed " + seed : "",
        result.averageAccuracy(),
        result.secondsPerTask());
  }

  /** The markdown table, one row per result. */
  public static String markdown(List<MethodResult> results) {
    Optional<MethodResult> finetune = find(results, Method.FINETUNE);
    Optional<MethodResult> joint = find(results, Method.JOINT);
    StringBuilder s = new StringBuilder();
    s.append("| method | average accuracy | BWT | forgetting | gap recovered |")
        .append(" s per task | step time ÷ fine-tuning |\n");
    s.append("|---|---|---|---|---|---|---|\n");
    for (MethodResult r : results) {
      s.append("| ").append(r.description()).append(" | ");
      s.append(String.format("%.4f", r.averageAccuracy())).append(" | ");
      s.append(r.sequential() ? String.format("%+.4f", r.matrix().backwardTransfer()) : "—");
      s.append(" | ");
      s.append(r.sequential() ? String.format("%.4f", r.matrix().forgetting()) : "—");
      s.append(" | ").append(gapRecovered(r, finetune, joint)).append(" | ");
      s.append(String.format("%.1f", r.secondsPerTask())).append(" | ");
      s.append(
              finetune.isPresent() && r.sequential()
                  ? String.format("%.2f", r.secondsPerStep() / finetune.get().secondsPerStep())
                  : "—")
          .append(" |\n");
    }
    return s.toString();
  }

  /**
   * The table over several seeds: each measure as mean ± sample sd over the seeds, the gap
   * recovered computed per seed against that seed's fine-tuning and joint training, and each seed's
   * average accuracy.
   */
  public static String markdownOverSeeds(ComparisonResult result) {
    List<MethodResult> finetune = result.runs().getOrDefault(Method.FINETUNE, List.of());
    List<MethodResult> joint = result.runs().getOrDefault(Method.JOINT, List.of());
    StringBuilder s = new StringBuilder();
    s.append("| method | seeds | average accuracy | BWT | forgetting | gap recovered |")
        .append(" average accuracy per seed | s per task |\n");
    s.append("|---|---|---|---|---|---|---|---|\n");
    result
        .runs()
        .forEach(
            (method, runs) -> {
              List<Double> average = runs.stream().map(MethodResult::averageAccuracy).toList();
              boolean sequential = runs.get(0).sequential();
              s.append("| ").append(runs.get(0).description()).append(" | ").append(runs.size());
              s.append(" | ").append(Tables.meanStd(average)).append(" | ");
              s.append(sequential ? meanStd(runs, m -> m.backwardTransfer()) : "—").append(" | ");
              s.append(sequential ? meanStd(runs, m -> m.forgetting()) : "—").append(" | ");
              List<Double> gaps = new ArrayList<>();
              if (finetune.size() == runs.size()
                  && joint.size() == runs.size()
                  && !method.equals(Method.FINETUNE)
                  && !method.equals(Method.JOINT)) {
                for (int i = 0; i < runs.size(); i++) {
                  double gap =
                      Statistics.gapRecovered(
                          average.get(i),
                          finetune.get(i).averageAccuracy(),
                          joint.get(i).averageAccuracy());
                  // A seed on which fine-tuning matches joint training has no gap to recover.
                  if (Double.isFinite(gap)) {
                    gaps.add(gap);
                  }
                }
              }
              s.append(gaps.isEmpty() ? "—" : Tables.meanStdPercent(gaps)).append(" | ");
              s.append(
                      average.stream()
                          .map(a -> String.format("%.4f", a))
                          .collect(Collectors.joining(" / ")))
                  .append(" | ");
              s.append(
                      String.format(
                          "%.1f",
                          Statistics.mean(
                              runs.stream().map(MethodResult::secondsPerTask).toList())))
                  .append(" |\n");
            });
    return s.toString();
  }

  /**
   * Writes the report of several seeds: {@code table} and, per method, the mean accuracy matrix and
   * the mean average-accuracy curve over the seeds.
   */
  public static void writeOverSeeds(
      Path dir, String header, String table, ComparisonResult result, TaskStream stream) {
    List<MethodResult> means = new ArrayList<>();
    result
        .runs()
        .forEach(
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
                          ? Statistics.meanMatrix(runs.stream().map(MethodResult::matrix).toList())
                          : null,
                      accuracies,
                      first.secondsPerTask(),
                      first.secondsPerStep()));
            });
    write(dir, header, table, means, stream);
  }

  private static String meanStd(List<MethodResult> runs, ToDoubleFunction<AccuracyMatrix> measure) {
    return Tables.meanStd(runs.stream().map(r -> measure.applyAsDouble(r.matrix())).toList());
  }

  /**
   * {@link Statistics#gapRecovered} as a percentage: 0 % is no better than fine-tuning, 100 %
   * matches joint training.
   */
  private static String gapRecovered(
      MethodResult r, Optional<MethodResult> finetune, Optional<MethodResult> joint) {
    if (finetune.isEmpty()
        || joint.isEmpty()
        || r.method().equals(Method.FINETUNE)
        || r.method().equals(Method.JOINT)) {
      return "—";
    }
    return String.format(
        "%.0f %%",
        100
            * Statistics.gapRecovered(
                r.averageAccuracy(),
                finetune.get().averageAccuracy(),
                joint.get().averageAccuracy()));
  }

  /**
   * Writes {@code compare.md} under {@code header} with {@code table}, the heat maps and the chart
   * of {@code results} on {@code stream} into {@code dir}.
   */
  public static void write(
      Path dir, String header, String table, List<MethodResult> results, TaskStream stream) {
    Map<String, double[]> curves = new LinkedHashMap<>();
    List<String> plots = new ArrayList<>();
    for (MethodResult r : results) {
      if (r.sequential()) {
        String file = "accuracy-matrix-" + r.method() + ".png";
        Charts.plotMatrix(dir.resolve(file), stream.name() + " — " + r.description(), r.matrix());
        plots.add(file);
        curves.put(r.method(), Statistics.averageCurve(r.matrix()));
      } else {
        double[] flat = new double[stream.tasks().size()];
        Arrays.fill(flat, r.averageAccuracy());
        curves.put(r.method() + " (final, all tasks)", flat);
      }
    }
    Charts.plotAverages(
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

  private static Optional<MethodResult> find(List<MethodResult> results, String method) {
    return results.stream().filter(r -> r.method().equals(method)).findFirst();
  }
}
