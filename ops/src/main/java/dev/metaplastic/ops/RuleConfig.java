package dev.metaplastic.ops;

import java.util.List;
import java.util.Map;

/**
 * An immutable, validated rule configuration: its name, its hyperparameters, and how to attach it
 * to the parameters of a graph.
 */
public interface RuleConfig {
  /** Short name used as the first segment of every state variable, such as {@code si}. */
  String name();

  /** Hyperparameters by name, as recorded in manifests and printed to users. */
  Map<String, Double> hyperparameters();

  /**
   * Builds the rule's state and graph hooks for {@code parameters}.
   *
   * @param variables creates every state variable under its contract name
   * @param parameters the trainable parameters the rule governs
   */
  ConsolidationRule attach(VariableRegistry variables, List<Parameter> parameters);
}
