package dev.metaplastic.experiments.report;

import static dev.metaplastic.experiments.ContinuationResult.mean;

import dev.metaplastic.experiments.ContinuationResult;
import dev.metaplastic.experiments.Method;
import dev.metaplastic.experiments.MethodResult;
import dev.metaplastic.experiments.Statistics;
import dev.metaplastic.experiments.Sweep;
import dev.metaplastic.files.StagedFile;
import dev.metaplastic.train.AccuracyMatrix;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The report of a continuation ({@code continue.md}): per method the original-task accuracy (and
 * its fraction of the imported accuracy), the new-task average, the average over all tasks, the
 * fraction of the fine-tuning → joint gap recovered and backward transfer, each as mean ± sd over
 * seeds; the final accuracy on each task; one accuracy-matrix heat map per method (mean over seeds)
 * and a trade-off chart per sweep.
 */
public final class ContinuationReport {
  /** What the summary's columns mean. */
  public static final String LEGEND =
      "Original task: final accuracy on the Keras model's task (in parentheses, as a fraction of"
          + " the Keras accuracy). New-task average: mean final accuracy over the new tasks."
          + " Average: over all tasks, the original included. Gap recovered: (A − A_fine-tuning)"
          + " / (A_joint − A_fine-tuning) for that average A, per seed. BWT: mean over the"
          + " earlier tasks of final accuracy minus accuracy just after learning the task (for"
          + " the original task, the Keras accuracy).";

  private ContinuationReport() {}

  /** The summary table: one row per method of {@code rows}, each a list of runs, one per seed. */
  public static String table(ContinuationResult result, List<List<MethodResult>> rows) {
    List<MethodResult> finetune = result.finetune();
    List<MethodResult> joint = result.joint();
    StringBuilder s = new StringBuilder();
    s.append("| method | original task | new-task average | average, all tasks |")
        .append(" gap recovered | BWT |\n|---|---|---|---|---|---|\n");
    for (List<MethodResult> runs : rows) {
      MethodResult first = runs.get(0);
      boolean bound = runs == finetune || runs == joint;
      List<Double> gaps = new ArrayList<>();
      for (int seed = 0; seed < runs.size(); seed++) {
        gaps.add(
            Statistics.gapRecovered(
                runs.get(seed).averageAccuracy(),
                finetune.get(seed).averageAccuracy(),
                joint.get(seed).averageAccuracy()));
      }
      s.append("| ").append(first.description()).append(" | ");
      s.append(meanStd(runs, ContinuationResult::original));
      s.append(
          String.format(
              " (%.1f %%)", 100 * mean(runs, ContinuationResult::original) / result.reference()));
      s.append(" | ").append(meanStd(runs, ContinuationResult::newTaskAverage));
      s.append(" | ").append(meanStd(runs, MethodResult::averageAccuracy));
      s.append(" | ").append(bound ? "—" : Tables.meanStdPercent(gaps));
      s.append(" | ")
          .append(first.sequential() ? meanStd(runs, r -> r.matrix().backwardTransfer()) : "—");
      s.append(" |\n");
    }
    return s.toString();
  }

  /** The summary table of the chosen methods, fine-tuning and joint training first. */
  public static String table(ContinuationResult result) {
    return table(result, result.rows());
  }

  /**
   * Prints each chosen method's accuracy matrix on the first seed {@code seed} (task 0: the
   * original task), then the summary table.
   */
  public static void print(
      PrintWriter out, ContinuationResult result, List<Method> chosen, long seed) {
    for (Method method : chosen) {
      Tables.printMatrix(
          out,
          String.format(
              "Test accuracy after each task, %s, seed %d (task 0: the original task)",
              method.description(), seed),
          result.runs(method).get(0).matrix());
    }
    out.print(table(result));
  }

  /** One line on a finished run of {@code seed}. */
  public static String line(long seed, MethodResult r) {
    return String.format(
        "seed %d  %-52s original %.4f  new-task average %.4f  average %.4f  (%.1f s per task)",
        seed,
        r.description(),
        ContinuationResult.original(r),
        ContinuationResult.newTaskAverage(r),
        r.averageAccuracy(),
        r.secondsPerTask());
  }

  /** Writes {@code continue.md} under {@code header}, the heat maps and the trade-off charts. */
  public static void write(Path dir, String header, ContinuationResult result) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    int seeds = result.seeds().size();
    StringBuilder md = new StringBuilder();
    md.append("# Continue learning from a Keras model\n\n").append(header).append("\n\n");
    md.append(String.format("## Summary, mean ± sd over %d seed(s)\n\n", seeds));
    md.append(table(result)).append('\n').append(LEGEND).append("\n\n");
    md.append("## Final accuracy on each task, mean ± sd\n\n");
    md.append(perTask(result));
    md.append("\n## Accuracy matrices, mean over seeds\n\n");
    md.append("Row i: after learning task i; task 0 is the original task, whose row holds the")
        .append(" Keras model's accuracy.\n\n");
    for (Method method : result.chosen()) {
      String file = "accuracy-matrix-" + method.name() + ".png";
      Charts.plotMatrix(
          dir.resolve(file),
          method.description() + " — mean over " + seeds + " seed(s)",
          Statistics.meanMatrix(result.runs(method).stream().map(MethodResult::matrix).toList()));
      md.append(String.format("![%s](%s)\n", method.description(), file));
    }
    for (Sweep sweep : result.sweeps()) {
      md.append(sweepSection(sweep, result, dir));
    }
    StagedFile.writeString(dir.resolve("continue.md"), "report", md.toString());
  }

  /** The final accuracy on each task, one row per chosen method. */
  static String perTask(ContinuationResult result) {
    AccuracyMatrix names = result.finetune().get(0).matrix();
    StringBuilder s = new StringBuilder("| method |");
    StringBuilder rule = new StringBuilder("|---|");
    for (int j = 0; j < names.tasks(); j++) {
      s.append(' ').append(j == 0 ? "original" : names.taskName(j)).append(" |");
      rule.append("---|");
    }
    s.append('\n').append(rule).append('\n');
    for (List<MethodResult> runs : result.rows()) {
      s.append("| ").append(runs.get(0).description()).append(" |");
      for (int j = 0; j < names.tasks(); j++) {
        int task = j;
        s.append(' ').append(meanStd(runs, r -> r.finalAccuracies()[task])).append(" |");
      }
      s.append('\n');
    }
    return s.toString();
  }

  private static String sweepSection(Sweep sweep, ContinuationResult result, Path dir) {
    String file = "tradeoff-" + sweep.rule() + "-" + sweep.parameter() + ".png";
    StringBuilder md = new StringBuilder();
    md.append(String.format("\n## Strength sweep: %s %s\n\n", sweep.rule(), sweep.parameter()));
    List<List<MethodResult>> rows = new ArrayList<>(List.of(result.finetune(), result.joint()));
    List<Charts.Point> points = new ArrayList<>();
    sweep
        .points()
        .forEach(
            (label, method) -> {
              List<MethodResult> runs = result.runs(method);
              rows.add(runs);
              points.add(point(label, runs));
            });
    md.append(table(result, rows)).append('\n');
    List<Charts.Point> references =
        List.of(point("fine-tuning", result.finetune()), point("joint training", result.joint()));
    Charts.plotTradeOff(
        dir.resolve(file),
        String.format(
            "%s: original task vs new tasks, mean over %d seed(s)",
            sweep.rule(), result.seeds().size()),
        "new-task average accuracy",
        "original-task accuracy",
        sweep.rule() + ", one point per " + sweep.parameter(),
        points,
        references);
    md.append(String.format("![trade-off](%s)\n", file));
    return md.toString();
  }

  /** A point of the trade-off chart: the mean new-task average and original-task accuracy. */
  private static Charts.Point point(String label, List<MethodResult> runs) {
    return new Charts.Point(
        label,
        mean(runs, ContinuationResult::newTaskAverage),
        mean(runs, ContinuationResult::original));
  }

  private static String meanStd(List<MethodResult> runs, ToDoubleFunction<MethodResult> metric) {
    return Tables.meanStd(runs.stream().map(metric::applyAsDouble).toList());
  }
}
