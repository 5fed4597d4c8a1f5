package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.VariableRegistry;
import java.util.List;
import java.util.Map;

/** An immutable optimizer configuration; {@link #attach} creates its slots in a graph. */
public sealed interface OptimizerConfig {
  /** Lower-case name, the first segment of the optimizer's slot variables. */
  String name();

  /** Hyperparameters by name. */
  Map<String, Double> hyperparameters();

  /** Creates the optimizer's slot variables for {@code parameters}. */
  Optimizer attach(VariableRegistry variables, List<Parameter> parameters);

  /** Readable form such as {@code adam(learning_rate=0.001, beta1=0.9, ...)}. */
  static String describe(String name, Map<String, Double> hyperparameters) {
    StringBuilder s = new StringBuilder(name).append('(');
    hyperparameters.forEach(
        (key, value) -> {
          if (s.charAt(s.length() - 1) != '(') {
            s.append(", ");
          }
          s.append(key).append('=').append(value);
        });
    return s.append(')').toString();
  }

  /**
   * Plain stochastic gradient descent, θ ← θ − η g.
   *
   * @param learningRate η &gt; 0
   */
  record Sgd(double learningRate) implements OptimizerConfig {
    public Sgd {
      checkArgument(
          learningRate > 0 && Double.isFinite(learningRate),
          "learning rate must be finite and > 0, got %s",
          learningRate);
    }

    @Override
    public String name() {
      return "sgd";
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("learning_rate", learningRate);
    }

    @Override
    public Optimizer attach(VariableRegistry variables, List<Parameter> parameters) {
      return new Optimizer.GradientDescent(this, variables);
    }

    @Override
    public String toString() {
      return OptimizerConfig.describe(name(), hyperparameters());
    }
  }

  /**
   * Adam (Kingma &amp; Ba 2015) with slots {@code adam/<parameter>/m} and {@code
   * adam/<parameter>/v} and the scalars {@code adam/beta1_power} and {@code adam/beta2_power}.
   */
  record Adam(double learningRate, double beta1, double beta2, double epsilon)
      implements OptimizerConfig {
    public Adam {
      checkArgument(
          learningRate > 0 && Double.isFinite(learningRate),
          "learning rate must be finite and > 0, got %s",
          learningRate);
      checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
      checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
      checkArgument(epsilon > 0, "epsilon must be > 0, got %s", epsilon);
    }

    /** Adam with the usual β1 = 0.9, β2 = 0.999, ε = 10⁻⁸. */
    public static Adam withLearningRate(double learningRate) {
      return new Adam(learningRate, 0.9, 0.999, 1e-8);
    }

    @Override
    public String name() {
      return "adam";
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of(
          "learning_rate", learningRate, "beta1", beta1, "beta2", beta2, "epsilon", epsilon);
    }

    @Override
    public Optimizer attach(VariableRegistry variables, List<Parameter> parameters) {
      return new Optimizer.AdamOptimizer(this, variables, parameters);
    }

    @Override
    public String toString() {
      return OptimizerConfig.describe(name(), hyperparameters());
    }
  }
}
