package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Memory Aware Synapses (Aljundi et al., "Memory Aware Synapses: Learning what (not) to forget",
 * ECCV 2018).
 *
 * <p>The importance of a synapse is how much the output of the learned function moves when the
 * synapse moves, measured without labels: Ω = 1/N Σ_k |∂ ‖f(x_k)‖²₂ / ∂θ|, the mean over N examples
 * of the absolute gradient of the squared L2 norm of the output (the paper's global version of its
 * eq. (2), with f the model's logits). At each boundary the task's importance is added to that of
 * past tasks (cumulative, as in the paper) and the anchor moves to the current weights.
 *
 * <p>For each governed parameter θ the rule keeps, named {@code mas/<parameter>/<state>}:
 *
 * <ul>
 *   <li>{@code importance} Ω: the summed importance of past tasks;
 *   <li>{@code anchor} θ*: θ at the end of the previous task;
 *   <li>{@code importance_estimate} Ω_t: the importance of the task just learned, accumulated
 *       example by example at a task boundary, then added to Ω and cleared.
 * </ul>
 *
 * <p>The penalty is λ/2 · Σ Ω (θ − θ*)², of gradient λ Ω (θ − θ*): the same form as EWC's, so that
 * λ means the same for EWC, online EWC and MAS. The paper's eq. (3) writes λ Σ Ω (θ − θ*)² without
 * the ½: the paper's λ is half of this λ.
 *
 * <p>Presets ({@link #DESCRIPTOR}): λ = 10 on split streams, 3 on permuted streams (λ ∈ {1, 3, 10}
 * swept with {@code metaplastic compare}), the importance from 1024 examples.
 */
public final class MemoryAwareSynapses extends AnchoredImportanceRule<MemoryAwareSynapses.Config> {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "mas";

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(NAME, h -> new Config(h.real("lambda"), h.whole("samples")))
          .hyperparameter(Hyperparameter.real("lambda", 10, ElasticWeightConsolidation.LAMBDA))
          .hyperparameter(
              Hyperparameter.whole(
                  "samples",
                  ElasticWeightConsolidation.DEFAULT_SAMPLES,
                  "examples of each task whose importance is measured at its boundary, >= 1"))
          .preset(StreamKind.PERMUTED, Map.of("lambda", 3.0))
          .summary(
              "Memory Aware Synapses",
              "Aljundi et al. 2018",
              "`importance` Ω, `anchor` θ*, `importance_estimate`")
          .presetSource("swept; importance from 1024 examples")
          .build();

  /**
   * Hyperparameters of MAS.
   *
   * @param lambda strength λ of the penalty λ/2 · Σ Ω (θ − θ*)², finite and ≥ 0
   * @param samples examples of each task's training set whose importance is measured, ≥ 1
   */
  public record Config(double lambda, int samples) implements RuleConfig {
    public Config {
      checkArgument(
          lambda >= 0 && Double.isFinite(lambda),
          "MAS strength lambda must be finite and >= 0, got %s",
          lambda);
      checkArgument(samples >= 1, "MAS samples must be >= 1, got %s", samples);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("lambda", lambda, "samples", (double) samples);
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new MemoryAwareSynapses(this, attachment.variables(), attachment.parameters());
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private MemoryAwareSynapses(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(
        config,
        NAME,
        "importance",
        config.lambda(),
        variables,
        parameters,
        config.samples(),
        PerExampleEstimate.Signal.ABSOLUTE,
        (ops, logits, seed) -> squaredOutputNorm(ops, logits),
        (ops, logits, seeds) -> squaredOutputNorm(ops, logits));
  }

  /**
   * The unsupervised objective of one example, ‖f(x)‖²₂: the squared L2 norm of the model's output
   * (its logits). The absolute value of its gradient is the example's contribution to Ω (eq. (2)
   * with the global L2-norm output function of the paper). Of a batch's logits, the sum of its
   * examples' objectives.
   */
  static Operand<TFloat32> squaredOutputNorm(Ops tf, Operand<TFloat32> logits) {
    return Reductions.sumAll(tf, tf.math.square(logits));
  }

  /** Cumulative importance after a boundary, Ω ← Ω + Ω_t. */
  static Operand<TFloat32> accumulatedImportance(
      Ops tf, Operand<TFloat32> importance, Operand<TFloat32> taskImportance) {
    return tf.math.add(importance, taskImportance);
  }

  @Override
  Operand<TFloat32> consolidatedImportance(
      Ops tf, Operand<TFloat32> importance, Operand<TFloat32> taskImportance) {
    return accumulatedImportance(tf, importance, taskImportance);
  }
}
