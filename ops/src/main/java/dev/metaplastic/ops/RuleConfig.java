package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

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
   * Where a rule is attached: the registry its state goes in, the parameters it governs and the
   * model's plain dense layers, so that a rule acting per layer gets them from the model.
   *
   * @param variables creates every state variable under its contract name
   * @param parameters the trainable parameters the rule governs
   * @param denseLayers the model's plain dense layers, in the model's order; empty for a model
   *     without any (a binarized network's layers end in batch normalization)
   */
  record Attachment(
      VariableRegistry variables, List<Parameter> parameters, List<DenseLayer> denseLayers) {
    public Attachment {
      checkNotNull(variables, "variables must not be null");
      parameters = List.copyOf(parameters);
      denseLayers = List.copyOf(denseLayers);
    }

    /** An attachment to parameters that form no dense layer. */
    public Attachment(VariableRegistry variables, List<Parameter> parameters) {
      this(variables, parameters, List.of());
    }
  }

  /** Builds the rule's state and graph hooks where {@code attachment} says. */
  ConsolidationRule attach(Attachment attachment);

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
