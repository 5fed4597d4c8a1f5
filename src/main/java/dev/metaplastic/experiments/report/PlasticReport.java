package dev.metaplastic.experiments.report;

import dev.metaplastic.episodes.Episodes;
import dev.metaplastic.experiments.EpisodeResult;
import dev.metaplastic.experiments.PlasticComparison;
import dev.metaplastic.files.StagedFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The report of a plastic comparison ({@code plastic.md}): a markdown table giving per rule the
 * final metric, the steps to criterion, the time per step and its ratio to the plain RNN's, and for
 * go/no-go the adaptation after the reversal and the accuracy just before and after it; and the
 * learning curves.
 */
public final class PlasticReport {
  private PlasticReport() {}

  /**
   * The table, one row per result.
   *
   * @param reversal whether to add the go/no-go column of adaptation after the reversal
   */
  public static String markdown(List<EpisodeResult> results, boolean reversal) {
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
              100 * PlasticComparison.REVERSAL_CRITERION,
              PlasticComparison.REVERSAL_WINDOW,
              PlasticComparison.REVERSAL_SPAN));
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

  /**
   * Writes {@code plastic.md} (title, {@code header}, {@code table}) and {@code learning-curve.png}
   * into {@code dir}.
   */
  public static void write(
      Path dir,
      String title,
      String header,
      String table,
      String metric,
      List<EpisodeResult> results) {
    Charts.plotLearningCurves(dir.resolve("learning-curve.png"), title, metric, results);
    String md =
        "# Plastic RNNs\n\n"
            + header
            + "\n\n"
            + table
            + "\n![learning curve](learning-curve.png)\n";
    StagedFile.writeString(dir.resolve("plastic.md"), "report", md);
  }
}
