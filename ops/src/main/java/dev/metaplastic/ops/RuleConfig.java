package dev.metaplastic.ops;

import java.util.List;
import java.util.Map;

/**
 * An immutable, validated rule configuration: which rule ({@link #descriptor()}), its
 * hyperparameters, and how to attach it to the parameters of a graph.
 */
public interface RuleConfig {
  /** The rule this configures. */
  RuleDescriptor<?> descriptor();

  /** Hyperparameters by name, as recorded in manifests and printed to users. */
  Map<String, Double> hyperparameters();

  /**
   * Builds the rule's state and graph hooks for {@code parameters}.
   *
   * @param variables creates every state variable under its contract name
   * @param parameters the trainable parameters the rule governs
   */
  ConsolidationRule attach(VariableRegistry variables, List<Parameter> parameters);

  /** The rule's name, the first segment of every state variable, such as {@code si}. */
  default String name() {
    return descriptor().name();
  }

  /**
   * The configuration as users read it, printed from its hyperparameters: {@code si(c=1.0,
   * xi=0.001)}. Configurations return it from {@code toString()}.
   */
  default String describe() {
    return descriptor().describe(hyperparameters());
  }
}
