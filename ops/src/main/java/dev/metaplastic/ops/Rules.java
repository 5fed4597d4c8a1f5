package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Map;

/** Every rule this version knows, by the name its state variables and manifests carry. */
public final class Rules {
  private Rules() {}

  /** The names of the known rules, in the order the README lists them. */
  public static List<String> names() {
    return List.of(
        SynapticIntelligence.NAME,
        ElasticWeightConsolidation.NAME,
        OnlineElasticWeightConsolidation.NAME,
        MemoryAwareSynapses.NAME,
        GradientProjectionMemory.NAME,
        BennaFusiSynapse.NAME,
        Metaplasticity.NAME,
        NeuromodulatedLearningRate.NAME,
        NeuromodulatoryGate.NAME);
  }

  /**
   * The configuration a manifest records as {@code name} with {@code hyperparameters}.
   *
   * @throws IllegalArgumentException for an unknown rule or a missing or invalid hyperparameter
   */
  public static RuleConfig fromHyperparameters(String name, Map<String, Double> hyperparameters) {
    return switch (name) {
      case SynapticIntelligence.NAME ->
          SynapticIntelligence.Config.fromHyperparameters(hyperparameters);
      case ElasticWeightConsolidation.NAME ->
          ElasticWeightConsolidation.Config.fromHyperparameters(hyperparameters);
      case OnlineElasticWeightConsolidation.NAME ->
          OnlineElasticWeightConsolidation.Config.fromHyperparameters(hyperparameters);
      case MemoryAwareSynapses.NAME ->
          MemoryAwareSynapses.Config.fromHyperparameters(hyperparameters);
      case GradientProjectionMemory.NAME ->
          GradientProjectionMemory.Config.fromHyperparameters(hyperparameters);
      case BennaFusiSynapse.NAME -> BennaFusiSynapse.Config.fromHyperparameters(hyperparameters);
      case Metaplasticity.NAME -> Metaplasticity.Config.fromHyperparameters(hyperparameters);
      case NeuromodulatedLearningRate.NAME ->
          NeuromodulatedLearningRate.Config.fromHyperparameters(hyperparameters);
      case NeuromodulatoryGate.NAME ->
          NeuromodulatoryGate.Config.fromHyperparameters(hyperparameters);
      default ->
          throw new IllegalArgumentException(
              "unknown rule '" + name + "'; this version knows: " + String.join(", ", names()));
    };
  }

  /**
   * The hyperparameter {@code key} of rule {@code rule}.
   *
   * @throws IllegalArgumentException if it is missing
   */
  static double required(Map<String, Double> hyperparameters, String key, String rule) {
    Double value = hyperparameters.get(key);
    checkArgument(value != null, "rule %s lacks hyperparameter '%s'", rule, key);
    return value;
  }

  /**
   * The hyperparameter {@code key} of rule {@code rule}, which must be a whole number (manifests
   * store every hyperparameter as a double).
   *
   * @throws IllegalArgumentException if it is missing, not a whole number, or outside the range of
   *     an {@code int}
   */
  static int requiredInt(Map<String, Double> hyperparameters, String key, String rule) {
    double value = required(hyperparameters, key, rule);
    checkArgument(
        value == Math.rint(value) && value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE,
        "rule %s: hyperparameter '%s' must be a whole number, got %s",
        rule,
        key,
        value);
    return (int) value;
  }
}
