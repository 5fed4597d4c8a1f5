package dev.metaplastic.experiments.report;

import dev.metaplastic.episodes.GoNoGoScores;
import dev.metaplastic.experiments.NeuromodResult;
import dev.metaplastic.experiments.NeuromodStudy;
import dev.metaplastic.experiments.Statistics;
import dev.metaplastic.files.StagedFile;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report of {@code metaplastic neuromod}: a table of each condition's scores as mean ± sd over
 * seeds, the same per seed, the learning curves, the accuracy around a reversal (the reversal
 * marked) and the modulators' signals around it.
 */
public final class NeuromodReport {
  private NeuromodReport() {}

  /** One measure of the table: its column title and how to read it from a result. */
  private record Measure(String title, ToDoubleFunction<NeuromodResult> value) {}

  private static final List<Measure> MEASURES =
      List.of(
          new Measure("reward per trial", r -> r.scores().rewardPerTrial()),
          new Measure("accuracy", r -> r.scores().accuracy()),
          new Measure("hit rate", r -> r.scores().hitRate()),
          new Measure("false-alarm rate", r -> r.scores().falseAlarmRate()),
          new Measure("d′", r -> r.scores().dPrime()),
          new Measure(
              "trials to criterion after a reversal",
              r -> r.scores().meanTrialsToCriterionAfterReversal()),
          new Measure(
              "share of reversals reaching criterion", r -> r.scores().shareReachedAfterReversal()),
          new Measure(
              "accuracy " + NeuromodStudy.BEFORE + " trials before a reversal",
              r -> meanOf(r.aroundReversals().get("correct"), 0, NeuromodStudy.BEFORE)),
          new Measure(
              "accuracy " + GoNoGoScores.SPAN + " trials after",
              r ->
                  meanOf(
                      r.aroundReversals().get("correct"),
                      NeuromodStudy.BEFORE,
                      NeuromodStudy.BEFORE + GoNoGoScores.SPAN)),
          new Measure("trials to criterion, 1st reversal", r -> trialsToCriterion(r, 1)),
          new Measure(
              "trials to criterion, 2nd reversal (first mapping back)",
              r -> trialsToCriterion(r, 2)),
          new Measure("learned η", NeuromodResult::eta));

  /** The mean over seeds and its sample standard deviation, per measure, as a markdown table. */
  public static String summary(Map<String, List<NeuromodResult>> byCondition) {
    StringBuilder s = new StringBuilder("| condition | seeds |");
    MEASURES.forEach(m -> s.append(' ').append(m.title()).append(" |"));
    s.append("\n|---|---|").append("---|".repeat(MEASURES.size())).append('\n');
    byCondition.forEach(
        (condition, results) -> {
          List<NeuromodResult> ok = results.stream().filter(r -> r.failure() == null).toList();
          s.append("| ").append(condition).append(" | ").append(ok.size());
          if (ok.size() < results.size()) {
            s.append(" (").append(results.size() - ok.size()).append(" diverged)");
          }
          s.append(" |");
          for (Measure m : MEASURES) {
            List<Double> values = new ArrayList<>();
            ok.forEach(r -> values.add(m.value().applyAsDouble(r)));
            s.append(' ').append(cell(values)).append(" |");
          }
          s.append('\n');
        });
    return s.toString();
  }

  /** Reward per trial and trials to criterion after a reversal, one row per seed. */
  public static String perSeed(Map<String, List<NeuromodResult>> byCondition) {
    StringBuilder s =
        new StringBuilder(
            "| condition | seed | reward per trial | trials to criterion after a reversal |"
                + " d′ | s per step |\n|---|---|---|---|---|---|\n");
    byCondition.forEach(
        (condition, results) ->
            results.forEach(
                r ->
                    s.append(
                        r.failure() != null
                            ? String.format(
                                Locale.ROOT,
                                "| %s | %d | %s | | | |%n",
                                condition,
                                r.seed(),
                                r.failure())
                            : String.format(
                                Locale.ROOT,
                                "| %s | %d | %.4f | %.2f | %.3f | %.3f |%n",
                                condition,
                                r.seed(),
                                r.scores().rewardPerTrial(),
                                r.scores().meanTrialsToCriterionAfterReversal(),
                                r.scores().dPrime(),
                                r.secondsPerStep()))));
    return s.toString();
  }

  /** Writes {@code learning-curve.png}, {@code reversal.png} and {@code modulators.png}. */
  public static void plots(
      Path dir, Map<String, List<NeuromodResult>> byCondition, String modulated) {
    XYChart learning =
        Charts.lineChart(
            "Go/No-Go from reward: reward per trial during training (mean over seeds)",
            "training steps",
            "reward per trial on the evaluation episodes");
    XYChart reversal =
        Charts.lineChart(
            "Go/No-Go: correct responses around a reversal (mean over reversals and seeds)",
            "trials from the reversal (0 = first trial under the reversed mapping)",
            "P(correct)");
    reversal.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    byCondition.forEach(
        (condition, results) -> {
          List<NeuromodResult> ok = results.stream().filter(r -> r.failure() == null).toList();
          if (ok.isEmpty()) {
            return;
          }
          NeuromodResult first = ok.get(0);
          double[] steps = new double[first.evalSteps().length];
          for (int i = 0; i < steps.length; i++) {
            steps[i] = first.evalSteps()[i];
          }
          learning
              .addSeries(condition, steps, mean(ok, r -> r.rewardCurve()))
              .setMarker(SeriesMarkers.NONE);
          reversal
              .addSeries(condition, offsets(), mean(ok, r -> r.aroundReversals().get("correct")))
              .setMarker(SeriesMarkers.CIRCLE);
        });
    markReversal(reversal, 0, 1);
    Charts.save(learning, dir.resolve("learning-curve.png"));
    Charts.save(reversal, dir.resolve("reversal.png"));

    List<NeuromodResult> signals = byCondition.getOrDefault(modulated, List.of());
    signals = signals.stream().filter(r -> r.failure() == null).toList();
    if (!signals.isEmpty()) {
      XYChart modulators =
          Charts.lineChart(
              "Neuromodulatory signals around a reversal, " + modulated + " (mean over seeds)",
              "trials from the reversal",
              "signal");
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("dopamine", "DA: δ = r − V");
      labels.put("noradrenaline", "NA: unexpected uncertainty ν");
      labels.put("acetylcholine", "ACh: expected uncertainty u");
      labels.put("serotonin", "5-HT: aversive rate s");
      labels.put("respond_probability", "P(respond)");
      double low = 0;
      double high = 1;
      for (Map.Entry<String, String> e : labels.entrySet()) {
        double[] ys = mean(signals, r -> r.aroundReversals().get(e.getKey()));
        for (double y : ys) {
          low = Math.min(low, y);
          high = Math.max(high, y);
        }
        modulators.addSeries(e.getValue(), offsets(), ys).setMarker(SeriesMarkers.NONE);
      }
      markReversal(modulators, low, high);
      Charts.save(modulators, dir.resolve("modulators.png"));
    }
  }

  /**
   * Writes the plots and {@code neuromod.md} of a study's results (by condition, in the study's
   * order; the curves around a reversal show the last modulated condition's signals) and returns
   * the summary table.
   */
  public static String report(
      Path dir, String header, Map<String, List<NeuromodResult>> byCondition) {
    String modulated =
        byCondition.keySet().stream()
            .filter(k -> !k.equals(NeuromodStudy.PLAIN))
            .reduce((a, b) -> b)
            .orElse("");
    String summary = summary(byCondition);
    plots(dir, byCondition, modulated);
    write(dir, header, summary, perSeed(byCondition), !modulated.isEmpty());
    return summary;
  }

  /** One line on a finished run: its scores or its failure, and its time per step. */
  public static String line(NeuromodResult r) {
    return String.format(
        Locale.ROOT,
        "%-16s seed %d  %s  (%.3f s per step)",
        r.condition(),
        r.seed(),
        r.failure() != null
            ? r.failure()
            : String.format(
                Locale.ROOT,
                "reward per trial %.4f, trials to criterion after a reversal %.2f",
                r.scores().rewardPerTrial(),
                r.scores().meanTrialsToCriterionAfterReversal()),
        r.secondsPerStep());
  }

  /** Writes {@code neuromod.md}. */
  public static void write(
      Path dir, String header, String summary, String perSeed, boolean signals) {
    String md =
        "# Neuromodulated Go/No-Go with reversals\n\n"
            + header
            + "\n\n## Mean ± sd over seeds\n\n"
            + summary
            + "\n## Per seed\n\n"
            + perSeed
            + "\n![learning curves](learning-curve.png)\n\n![around a reversal](reversal.png)\n"
            + (signals ? "\n![neuromodulatory signals](modulators.png)\n" : "");
    StagedFile.writeString(dir.resolve("neuromod.md"), "report", md);
  }

  /** A vertical dashed line at offset 0 from {@code low} to {@code high}, named "reversal". */
  private static void markReversal(XYChart chart, double low, double high) {
    chart
        .addSeries("reversal", new double[] {-0.5, -0.5}, new double[] {low, high})
        .setMarker(SeriesMarkers.NONE)
        .setLineColor(Color.DARK_GRAY)
        .setLineStyle(SeriesLines.DASH_DASH);
  }

  private static double[] offsets() {
    double[] x = new double[NeuromodStudy.BEFORE + NeuromodStudy.AFTER];
    for (int i = 0; i < x.length; i++) {
      x[i] = i - NeuromodStudy.BEFORE;
    }
    return x;
  }

  /** The element-wise mean over results of an array each holds. */
  private static double[] mean(
      List<NeuromodResult> results, java.util.function.Function<NeuromodResult, double[]> array) {
    double[] sum = new double[array.apply(results.get(0)).length];
    for (NeuromodResult r : results) {
      double[] a = array.apply(r);
      for (int i = 0; i < sum.length && i < a.length; i++) {
        sum[i] += a[i] / results.size();
      }
    }
    return sum;
  }

  private static double meanOf(double[] values, int from, int to) {
    double sum = 0;
    int n = 0;
    for (int i = from; i < to; i++) {
      if (Double.isFinite(values[i])) {
        sum += values[i];
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private static double trialsToCriterion(NeuromodResult r, int ordinal) {
    return r.scores()
        .block(ordinal)
        .filter(b -> b.reached() > 0)
        .map(GoNoGoScores.Block::meanTrialsToCriterion)
        .orElse(Double.NaN);
  }

  /** Mean ± sd with 3 decimals, or — when nothing was measured. */
  private static String cell(List<Double> values) {
    List<Double> finite = values.stream().filter(Double::isFinite).toList();
    if (finite.isEmpty()) {
      return "—";
    }
    return String.format(
        Locale.ROOT, "%.3f ± %.3f", Statistics.mean(finite), Statistics.sd(finite));
  }
}
