package dev.metaplastic.cli;

import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.SynapticIntelligence;
import java.util.Map;

/**
 * Each rule's default hyperparameters for a kind of stream: the papers' values where they carry
 * over to Fashion-MNIST, otherwise values measured with {@code metaplastic compare} (the README
 * says which). Permuted streams (domain-incremental, one shared head) and split streams
 * (task-incremental, one head per task) need different strengths.
 */
final class RulePresets {
  private RulePresets() {}

  /** Rule {@code name} with its preset for stream kind {@code stream}. */
  static RuleConfig rule(String name, String stream, boolean binarized) {
    return Rules.fromHyperparameters(name, defaults(name, stream, binarized));
  }

  /**
   * The hyperparameters of rule {@code name} (as manifests name it) on stream kind {@code stream}.
   */
  static Map<String, Double> defaults(String name, String stream, boolean binarized) {
    boolean permuted = stream.equals("permuted");
    return switch (name) {
      case SynapticIntelligence.NAME ->
          (permuted ? SynapticIntelligence.Config.PERMUTED : SynapticIntelligence.Config.SPLIT)
              .hyperparameters();
      default -> throw new IllegalArgumentException("no preset for rule '" + name + "'");
    };
  }
}
