package dev.metaplastic.cli;

import java.util.List;
import java.util.Optional;

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
