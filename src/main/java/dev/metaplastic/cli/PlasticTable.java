package dev.metaplastic.cli;

import dev.metaplastic.episodes.Episodes;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The markdown table of a plastic comparison: per rule, the final metric, the steps to criterion,
 * the time per step and its ratio to the plain RNN's, and for go/no-go the adaptation after the
 * reversal and the accuracy just before and after it.
 */
final class PlasticTable {
  private PlasticTable() {}

  /**
   * The table, one row per result.
   *
   * @param reversal whether to add the go/no-go column of adaptation after the reversal
   */
  static String markdown(List<EpisodeResult> results, boolean reversal) {
    if (results.isEmpty()) {
      return "";
    }
    boolean classification = results.get(0).kind() == Episodes.Kind.CLASSIFICATION;
    Optional<EpisodeResult> none =
        results.stream().filter(r -> r.rule().equals("none")).findFirst();
    StringBuilder s = new StringBuilder();
    s.append("| rule | network | ")
        .append(classification ? "final accuracy" : "final MSE")
        .append(" | steps to ")
        .append(
            classification
                ? String.format("accuracy ≥ %.1f", EpisodeResult.ACCURACY_CRITERION)
                : String.format("MSE ≤ %.1f", EpisodeResult.MSE_CRITERION))
        .append(" | s per step | step time ÷ none |");
    if (reversal) {
      s.append(
          String.format(
              " steps to %.0f %% correct after reversal (window %d) | accuracy %d steps before /"
                  + " after reversal |",
              100 * EpisodeRun.REVERSAL_CRITERION,
              EpisodeRun.REVERSAL_WINDOW,
              EpisodeRun.REVERSAL_SPAN));
    }
    s.append("\n|---|---|---|---|---|---|").append(reversal ? "---|---|" : "").append('\n');
    for (EpisodeResult r : results) {
      s.append("| ").append(r.rule()).append(" | ").append(r.description()).append(" | ");
      s.append(r.failure() != null ? r.failure() : String.format("%.4f", r.finalMetric()));
      OptionalInt criterion = r.stepsToCriterion();
      s.append(" | ").append(criterion.isPresent() ? criterion.getAsInt() : "—");
      s.append(" | ").append(String.format("%.4f", r.secondsPerStep()));
      s.append(" | ")
          .append(
              none.isPresent() && Double.isFinite(none.get().secondsPerStep())
                  ? String.format("%.2f", r.secondsPerStep() / none.get().secondsPerStep())
                  : "—")
          .append(" |");
      if (reversal) {
        EpisodeResult.ReversalAdaptation a = r.reversal();
        s.append(' ')
            .append(
                a == null
                    ? "—"
                    : a.reached() == 0
                        ? String.format("never (0 of %d episodes)", a.episodes())
                        : String.format(
                            "%.2f (%d of %d episodes reach it)",
                            a.meanSteps(), a.reached(), a.episodes()))
            .append(" | ")
            .append(
                a == null
                    ? "—"
                    : String.format("%.4f / %.4f", a.accuracyBefore(), a.accuracyAfter()))
            .append(" |");
      }
      s.append('\n');
    }
    return s.toString();
  }
}
