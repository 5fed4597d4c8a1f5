package dev.metaplastic.cli;

import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import java.util.Map;

/**
 * Each rule's default hyperparameters for a kind of stream: the papers' values where they carry
 * over to Fashion-MNIST, otherwise values measured with {@code metaplastic compare} (the README
 * says which). Permuted streams ({@code permuted}, domain-incremental with one shared head, and
 * {@code permuted-task}, with one head per task, share presets) and split streams need different
 * strengths.
 */
final class RulePresets {
  private RulePresets() {}

  /** Rule {@code name} with its preset for stream kind {@code stream}. */
  static RuleConfig rule(String name, String stream, boolean binarized) {
    return Rules.fromHyperparameters(name, defaults(name, stream, binarized));
  }

  /**
   * The hyperparameters of rule {@code name} (as manifests name it) on stream kind {@code stream};
   * {@code binarized} for a binarized network, where metaplasticity acts on the hidden weights
   * themselves rather than on their distance from the last task's anchor.
   */
  static Map<String, Double> defaults(String name, String stream, boolean binarized) {
    boolean permuted = stream.startsWith("permuted");
    return switch (name) {
      case "si" -> permuted ? Map.of("c", 0.1, "xi", 0.1) : Map.of("c", 1.0, "xi", 1e-3);
      case "ewc" -> Map.of("lambda", permuted ? 100.0 : 1000.0, "samples", 1024.0);
      case "online_ewc" ->
          Map.of("lambda", permuted ? 100.0 : 1000.0, "gamma", 1.0, "samples", 1024.0);
      case "mas" -> Map.of("lambda", permuted ? 1.0 : 10.0, "samples", 1024.0);
      case "benna_fusi" -> Map.of("chain_length", 8.0, "coupling", 0.1);
      case "meta" -> Map.of("m", 1.35, "reference", binarized ? 0.0 : 1.0);
      default -> throw new IllegalArgumentException("no preset for rule '" + name + "'");
    };
  }
}
