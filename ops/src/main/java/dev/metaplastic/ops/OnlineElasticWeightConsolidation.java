package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Online EWC (Schwarz et al., "Progress &amp; Compress: A scalable framework for continual
 * learning", ICML 2018): EWC with one running Fisher, decayed by γ at each task boundary, and one
 * anchor, the weights at the end of the previous task.
 *
 * <p>For each governed parameter θ the rule keeps, named {@code online_ewc/<parameter>/<state>}:
 *
 * <ul>
 *   <li>{@code fisher} F*: the running Fisher, F* ← γ F* + F_t at each boundary;
 *   <li>{@code anchor} θ*: θ at the end of the previous task;
 *   <li>{@code fisher_estimate} F_t: the Fisher of the task just learned, accumulated example by
 *       example at a task boundary, then folded into F* and cleared.
 * </ul>
 *
 * <p>The penalty is λ/2 · Σ F* (θ − θ*)², of gradient λ F* (θ − θ*). The Fisher is sampled as in
 * {@link ElasticWeightConsolidation}: labels drawn from the model's own softmax, not the data's
 * labels. The paper writes the penalty of task k as ½‖θ − θ*_{k−1}‖² weighted by γF*_{k−1} with
 * F*_{k−1} = γF*_{k−2} + F_{k−1}; this class applies γ once, at the boundary (F* already holds γ
 * F*_{k−2} + F_{k−1}), as common implementations do, so the paper's penalty is this one with λ
 * multiplied by γ. With γ = 1 the Fisher is the plain sum of EWC with the anchor at the last task
 * only.
 *
 * <p>Presets ({@link #DESCRIPTOR}): as {@link ElasticWeightConsolidation}'s, λ = 1000 on split
 * streams and 100 on permuted streams, with γ = 1.
 */
public final class OnlineElasticWeightConsolidation
    extends AnchoredImportanceRule<OnlineElasticWeightConsolidation.Config> {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "online_ewc";

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(
              NAME, h -> new Config(h.real("lambda"), h.real("gamma"), h.whole("samples")))
          .hyperparameter(Hyperparameter.real("lambda", 1000, ElasticWeightConsolidation.LAMBDA))
          .hyperparameter(
              Hyperparameter.real(
                  "gamma", 1.0, "decay gamma of the running Fisher at each boundary, in [0, 1]"))
          .hyperparameter(
              Hyperparameter.whole(
                  "samples",
                  ElasticWeightConsolidation.DEFAULT_SAMPLES,
                  ElasticWeightConsolidation.FISHER_SAMPLES))
          .preset(StreamKind.PERMUTED, Map.of("lambda", 100.0))
          .summary(
              "online EWC", "Schwarz et al. 2018", "`fisher` F*, `anchor` θ*, `fisher_estimate`")
          .presetSource("as EWC's, with γ = 1")
          .build();

  /**
   * Hyperparameters of online EWC.
   *
   * @param lambda strength λ of the penalty λ/2 · Σ F* (θ − θ*)², finite and ≥ 0
   * @param gamma decay γ of the running Fisher at each boundary, in [0, 1]
   * @param samples examples of each task's training set whose Fisher is estimated, ≥ 1
   */
  public record Config(double lambda, double gamma, int samples) implements RuleConfig {
    public Config {
      checkArgument(
          lambda >= 0 && Double.isFinite(lambda),
          "online EWC strength lambda must be finite and >= 0, got %s",
          lambda);
      checkArgument(
          gamma >= 0 && gamma <= 1, "online EWC decay gamma must be in [0, 1], got %s", gamma);
      checkArgument(samples >= 1, "online EWC samples must be >= 1, got %s", samples);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("lambda", lambda, "gamma", gamma, "samples", (double) samples);
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new OnlineElasticWeightConsolidation(
          this, attachment.variables(), attachment.parameters());
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private OnlineElasticWeightConsolidation(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(
        config,
        NAME,
        "fisher",
        config.lambda(),
        variables,
        parameters,
        config.samples(),
        PerExampleEstimate.Signal.SQUARED,
        ElasticWeightConsolidation::logLikelihoodOfSampledLabel,
        ElasticWeightConsolidation::logLikelihoodsOfSampledLabels);
  }

  /** The running Fisher after a boundary, F* ← γ F* + F_t (Schwarz et al.'s online EWC). */
  static Operand<TFloat32> decayedFisher(
      Ops tf, Operand<TFloat32> fisher, Operand<TFloat32> taskFisher, float gamma) {
    return tf.math.add(tf.math.mul(fisher, tf.constant(gamma)), taskFisher);
  }

  @Override
  Operand<TFloat32> consolidatedImportance(
      Ops tf, Operand<TFloat32> fisher, Operand<TFloat32> taskFisher) {
    return decayedFisher(tf, fisher, taskFisher, (float) config.gamma());
  }
}
