package dev.metaplastic.experiments;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * What a {@link Continuation} measured: for every method, one run per seed. Task 0 of every run is
 * the imported model's original task.
 *
 * @param reference the imported model's test accuracy on its original task
 * @param seeds the seeds, in order
 * @param chosen the chosen methods, fine-tuning first
 * @param sweeps the strength sweeps
 * @param joint joint training, one run per seed
 * @param runs every sequential method's runs, one per seed, by {@linkplain Method#description()
 *     description} (a sweep point equal to a chosen method runs once)
 */
public record ContinuationResult(
    double reference,
    List<Long> seeds,
    List<Method> chosen,
    List<Sweep> sweeps,
    List<MethodResult> joint,
    Map<String, List<MethodResult>> runs) {
  public ContinuationResult {
    seeds = List.copyOf(seeds);
    chosen = List.copyOf(chosen);
    sweeps = List.copyOf(sweeps);
    joint = List.copyOf(joint);
    runs = Collections.unmodifiableMap(new LinkedHashMap<>(runs));
  }

  /** The runs of {@code method}, one per seed. */
  public List<MethodResult> runs(Method method) {
    return runs.get(method.description());
  }

  /** Fine-tuning, the lower bound, one run per seed. */
  public List<MethodResult> finetune() {
    return runs(chosen.get(0));
  }

  /** The rows of the summary: fine-tuning, joint training, then every other chosen method. */
  public List<List<MethodResult>> rows() {
    List<List<MethodResult>> rows = new ArrayList<>(List.of(finetune(), joint));
    chosen.subList(1, chosen.size()).forEach(m -> rows.add(runs(m)));
    return rows;
  }

  /** Final accuracy on the original task. */
  public static double original(MethodResult r) {
    return r.finalAccuracies()[0];
  }

  /** Mean final accuracy over the new tasks. */
  public static double newTaskAverage(MethodResult r) {
    double[] acc = r.finalAccuracies();
    return Arrays.stream(acc, 1, acc.length).average().orElse(Double.NaN);
  }

  /** The mean of {@code metric} over {@code runs}. */
  public static double mean(List<MethodResult> runs, ToDoubleFunction<MethodResult> metric) {
    return runs.stream().mapToDouble(metric).average().orElse(Double.NaN);
  }
}
