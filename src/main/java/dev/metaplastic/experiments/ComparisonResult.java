package dev.metaplastic.experiments;

import java.util.List;
import java.util.Map;

/**
 * What a {@link Comparison} measured.
 *
 * @param seeds the seeds, in the order they ran
 * @param runs for each method by name, in the comparison's order, its result for each seed
 */
public record ComparisonResult(List<Long> seeds, Map<String, List<MethodResult>> runs) {
  public ComparisonResult {
    seeds = List.copyOf(seeds);
    runs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(runs));
  }

  /** Every method's result for the first seed, in the comparison's order. */
  public List<MethodResult> firstSeed() {
    return runs.values().stream().map(r -> r.get(0)).toList();
  }
}
