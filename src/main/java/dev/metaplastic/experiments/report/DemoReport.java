package dev.metaplastic.experiments.report;

import dev.metaplastic.data.TaskStream;
import dev.metaplastic.experiments.ComparisonResult;
import dev.metaplastic.experiments.Method;
import dev.metaplastic.experiments.MethodResult;
import dev.metaplastic.experiments.Statistics;
import dev.metaplastic.train.AccuracyMatrix;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The report of the {@linkplain dev.metaplastic.experiments.Demo demo}: each sequential method's
 * accuracy matrix of seed 0 (printed and plotted), a summary over the seeds (mean ± sd of average
 * accuracy, backward transfer and forgetting; joint training's average accuracy), and the mean
 * average-accuracy curves.
 */
public final class DemoReport {
  private DemoReport() {}

  /** How the demo names a method: {@code fine-tuning}, {@code si}, {@code joint}. */
  public static String label(String method) {
    return method.equals(Method.FINETUNE) ? "fine-tuning" : method;
  }

  /** Prints the matrices and the summary to {@code pw} and writes the plots into {@code out}. */
  public static void write(PrintWriter pw, ComparisonResult result, TaskStream stream, Path out) {
    int seeds = result.seeds().size();
    Map<String, List<MethodResult>> sequential = new LinkedHashMap<>();
    List<MethodResult> joint = List.of();
    for (Map.Entry<String, List<MethodResult>> e : result.runs().entrySet()) {
      if (e.getValue().get(0).sequential()) {
        sequential.put(label(e.getKey()), e.getValue());
      } else {
        joint = e.getValue();
      }
    }
    pw.println();
    Map<String, double[]> curves = new LinkedHashMap<>();
    sequential.forEach(
        (method, runs) -> {
          List<AccuracyMatrix> matrices = runs.stream().map(MethodResult::matrix).toList();
          Tables.printMatrix(
              pw, "Test accuracy after each task, " + method + ", seed 0", matrices.get(0));
          Charts.plotPerTask(
              out.resolve("accuracy-" + method + ".png"),
              stream.name() + " — " + method + ", seed 0",
              matrices.get(0));
          curves.put(method, Statistics.meanCurve(matrices));
        });
    pw.printf("Summary over %d seeds (mean ± standard deviation)%n", seeds);
    pw.printf(
        "%-12s %-20s %-20s %-20s%n",
        "method", "average accuracy", "backward transfer", "forgetting");
    sequential.forEach(
        (method, runs) ->
            pw.printf(
                "%-12s %-20s %-20s %-20s%n",
                method,
                meanStd(runs, r -> r.matrix().averageAccuracy()),
                meanStd(runs, r -> r.matrix().backwardTransfer()),
                meanStd(runs, r -> r.matrix().forgetting())));
    pw.printf(
        "%-12s %-20s (upper bound: all tasks trained together)%n",
        "joint", meanStd(joint, MethodResult::averageAccuracy));
    Path plot = out.resolve("average-accuracy.png");
    Charts.plotAverages(plot, stream.name() + " — mean over " + seeds + " seeds", curves);
    pw.printf("plots written to %s%n", out);
    pw.flush();
  }

  private static String meanStd(List<MethodResult> runs, ToDoubleFunction<MethodResult> metric) {
    return Tables.meanStd(runs.stream().map(metric::applyAsDouble).toList());
  }
}
