package dev.metaplastic.experiments.report;

import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.experiments.Method;
import dev.metaplastic.experiments.MethodResult;
import dev.metaplastic.experiments.Statistics;
import dev.metaplastic.files.StagedFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report of a comparison ({@code compare.md}): a markdown table of average accuracy, backward
 * transfer, forgetting, the fraction of the fine-tuning → joint-training gap each method recovers,
 * wall time per task and step time relative to fine-tuning; one accuracy-matrix heat map per
 * sequential method and an average-accuracy chart.
 */
public final class ComparisonReport {
  private ComparisonReport() {}

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
