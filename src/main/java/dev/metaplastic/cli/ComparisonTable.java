package dev.metaplastic.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The markdown table of a comparison: average accuracy, backward transfer, forgetting, the fraction
 * of the fine-tuning → joint-training gap each method recovers, wall time per task, and step time
 * relative to fine-tuning.
 */
final class ComparisonTable {
  private ComparisonTable() {}

  static String markdown(List<MethodResult> results) {
    Optional<MethodResult> finetune = find(results, "finetune");
    Optional<MethodResult> joint = find(results, "joint");
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
   * recovered computed per seed against that seed's fine-tuning and joint training.
   *
   * @param results per method, one result per seed, the seeds in the same order for every method
   */
  static String markdownOverSeeds(Map<String, List<MethodResult>> results) {
    List<MethodResult> finetune = results.getOrDefault("finetune", List.of());
    List<MethodResult> joint = results.getOrDefault("joint", List.of());
    StringBuilder s = new StringBuilder();
    s.append("| method | seeds | average accuracy | BWT | forgetting | gap recovered |")
        .append(" average accuracy per seed | s per task |\n");
    s.append("|---|---|---|---|---|---|---|---|\n");
    results.forEach(
        (method, runs) -> {
          List<Double> average = runs.stream().map(MethodResult::averageAccuracy).toList();
          s.append("| ").append(runs.get(0).description()).append(" | ").append(runs.size());
          s.append(" | ").append(AccuracyReport.meanStd(average)).append(" | ");
          boolean sequential = runs.get(0).sequential();
          s.append(
              sequential
                  ? AccuracyReport.meanStd(
                      runs.stream().map(r -> r.matrix().backwardTransfer()).toList())
                  : "—");
          s.append(" | ");
          s.append(
              sequential
                  ? AccuracyReport.meanStd(runs.stream().map(r -> r.matrix().forgetting()).toList())
                  : "—");
          s.append(" | ");
          boolean bounded =
              finetune.size() == runs.size()
                  && joint.size() == runs.size()
                  && !method.equals("finetune")
                  && !method.equals("joint");
          if (bounded) {
            List<Double> gaps = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
              double gap =
                  gapRecovered(
                      average.get(i),
                      finetune.get(i).averageAccuracy(),
                      joint.get(i).averageAccuracy());
              // A seed on which fine-tuning matches joint training has no gap to recover.
              if (Double.isFinite(gap)) {
                gaps.add(gap);
              }
            }
            s.append(gaps.isEmpty() ? "—" : AccuracyReport.meanStdPercent(gaps));
          } else {
            s.append("—");
          }
          s.append(" | ")
              .append(
                  average.stream()
                      .map(a -> String.format("%.4f", a))
                      .collect(Collectors.joining(" / ")))
              .append(" | ");
          s.append(
                  String.format(
                      "%.1f",
                      AccuracyReport.mean(
                          runs.stream().map(MethodResult::secondsPerTask).toList())))
              .append(" |\n");
        });
    return s.toString();
  }

  /**
   * {@link #gapRecovered(double, double, double)} as a percentage: 0 % is no better than
   * fine-tuning, 100 % matches joint training.
   */
  private static String gapRecovered(
      MethodResult r, Optional<MethodResult> finetune, Optional<MethodResult> joint) {
    if (finetune.isEmpty()
        || joint.isEmpty()
        || r.method().equals("finetune")
        || r.method().equals("joint")) {
      return "—";
    }
    return String.format(
        "%.0f %%",
        100
            * gapRecovered(
                r.averageAccuracy(),
                finetune.get().averageAccuracy(),
                joint.get().averageAccuracy()));
  }

  /**
   * The fraction of the fine-tuning → joint-training gap that average accuracy {@code average}
   * recovers: (A − A_finetune) / (A_joint − A_finetune).
   */
  static double gapRecovered(double average, double finetune, double joint) {
    return (average - finetune) / (joint - finetune);
  }

  private static Optional<MethodResult> find(List<MethodResult> results, String method) {
    return results.stream().filter(r -> r.method().equals(method)).findFirst();
  }
}
