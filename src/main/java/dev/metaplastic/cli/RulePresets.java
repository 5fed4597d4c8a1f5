package dev.metaplastic.cli;

import dev.metaplastic.ops.NeuromodulatoryGate;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import java.util.Map;

/**
 * Each rule's default hyperparameters for a kind of stream: the papers' values where they carry
 * over to Fashion-MNIST, otherwise the best of a sweep with {@code metaplastic compare} (the README
 * gives the sweeps). Permuted streams (one shared head, or one head per task with {@code
 * permuted-task}) and split streams (task-incremental, one head per task) need different strengths.
 *
 * <ul>
 *   <li>SI: the paper's c = 1, ξ = 10⁻³ on split streams; on permuted streams ξ = 0.1 as in the
 *       paper but c = 10 instead of 0.1, because a few hundred steps on 10,000 images per task
 *       leave a path integral far smaller than the paper's 20 epochs on 60,000 (c ∈ {0.1, 1, 10,
 *       30} swept).
 *   <li>EWC and online EWC: λ = 1000 on split streams, 100 on permuted (λ ∈ {100, 1000, 10⁴}
 *       swept); online EWC with γ = 1; the Fisher from 1024 examples.
 *   <li>MAS: λ = 10 on split streams, 3 on permuted (λ ∈ {1, 3, 10} swept).
 *   <li>Benna–Fusi: N = 8 variables, g₁₂ = 0.01 (g₁₂ ∈ {0.1, 0.01, 0.001} swept).
 *   <li>Metaplasticity: on the hidden weights of a binarized network m = 20, not the paper's 1.35:
 *       the paper trains 12,000 steps per task and its hidden weights grow far larger than in our
 *       800 (m ∈ {1.35, 5, 20} swept on permuted-task); on the distance from the anchor in a
 *       real-valued network, m = 30 (m ∈ {1.35, 10, 30, 100} swept on split Fashion-MNIST:
 *       distances from the anchor are a few hundredths, while the hidden weights of a binarized
 *       network grow to units).
 *   <li>Neuromodulated learning rate: κ = 1, β = 0.05, gain in [1, 3] on every stream; not swept
 *       yet.
 *   <li>Neuromodulatory gate: {@link NeuromodulatoryGate.Config#of}'s constants on every stream
 *       (alone, as {@code neuromod-gate}, with all three modulators).
 * </ul>
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
      case "si" -> permuted ? Map.of("c", 10.0, "xi", 0.1) : Map.of("c", 1.0, "xi", 1e-3);
      case "ewc" -> Map.of("lambda", permuted ? 100.0 : 1000.0, "samples", 1024.0);
      case "online_ewc" ->
          Map.of("lambda", permuted ? 100.0 : 1000.0, "gamma", 1.0, "samples", 1024.0);
      case "mas" -> Map.of("lambda", permuted ? 3.0 : 10.0, "samples", 1024.0);
      case "gpm" -> Map.of("threshold", 0.97, "samples", 512.0);
      case "benna_fusi" -> Map.of("chain_length", 8.0, "coupling", 0.01);
      case "meta" ->
          binarized ? Map.of("m", 20.0, "reference", 0.0) : Map.of("m", 30.0, "reference", 1.0);
      case "neuromod_lr" ->
          Map.of("kappa", 1.0, "baseline_rate", 0.05, "min_gain", 1.0, "max_gain", 3.0);
      case "neuromod_gate" ->
          NeuromodulatoryGate.Config.of(NeuromodulatoryGate.GATES).hyperparameters();
      default -> throw new IllegalArgumentException("no preset for rule '" + name + "'");
    };
  }
}
