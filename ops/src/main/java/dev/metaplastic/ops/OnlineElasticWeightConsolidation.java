package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
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
 */
public final class OnlineElasticWeightConsolidation implements ConsolidationRule {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "online_ewc";

  private final Config config;
  private final List<Parameter> parameters;
  private final List<Variable<TFloat32>> fishers = new ArrayList<>();
  private final List<Variable<TFloat32>> anchors = new ArrayList<>();
  private final List<Variable<TFloat32>> estimates = new ArrayList<>();
  private final List<StateVariable> state = new ArrayList<>();
  private final List<Operand<TFloat32>> penaltyGradients = new ArrayList<>();
  private final Ops tf;
  private final Operand<TFloat32> penalty;

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

    /** The configuration whose {@link #hyperparameters()} are {@code h}. */
    public static Config fromHyperparameters(Map<String, Double> h) {
      return new Config(
          Rules.required(h, "lambda", NAME),
          Rules.required(h, "gamma", NAME),
          Rules.requiredInt(h, "samples", NAME));
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("lambda", lambda, "gamma", gamma, "samples", (double) samples);
    }

    @Override
    public ConsolidationRule attach(VariableRegistry variables, List<Parameter> parameters) {
      return new OnlineElasticWeightConsolidation(this, variables, parameters);
    }

    @Override
    public String toString() {
      return NAME + "(lambda=" + lambda + ", gamma=" + gamma + ", samples=" + samples + ")";
    }
  }

  private OnlineElasticWeightConsolidation(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    checkArgument(!parameters.isEmpty(), "online EWC needs at least one parameter");
    this.config = config;
    this.parameters = ImmutableList.copyOf(parameters);
    this.tf = variables.scope(NAME);
    Ops init = variables.root();
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (Parameter p : parameters) {
      String prefix = NAME + "/" + p.name() + "/";
      Operand<TFloat32> zeros = init.zeros(init.constant(p.shape()), TFloat32.class);
      Variable<TFloat32> fisher = variables.create(prefix + "fisher", zeros);
      Variable<TFloat32> anchor = variables.create(prefix + "anchor", p.initialValue());
      Variable<TFloat32> estimate = variables.create(prefix + "fisher_estimate", zeros);
      fishers.add(fisher);
      anchors.add(anchor);
      estimates.add(estimate);
      state.add(new StateVariable(p.name(), "fisher", fisher));
      state.add(new StateVariable(p.name(), "anchor", anchor));
      state.add(new StateVariable(p.name(), "fisher_estimate", estimate));
      terms.add(QuadraticPenalty.weightedSquares(tf, fisher, p.variable(), anchor));
      penaltyGradients.add(
          QuadraticPenalty.gradient(tf, fisher, p.variable(), anchor, (float) config.lambda()));
    }
    this.penalty = QuadraticPenalty.total(tf, terms, (float) config.lambda());
  }

  /** The running Fisher after a boundary, F* ← γ F* + F_t (Schwarz et al.'s online EWC). */
  static Operand<TFloat32> decayedFisher(
      Ops tf, Operand<TFloat32> fisher, Operand<TFloat32> taskFisher, float gamma) {
    return tf.math.add(tf.math.mul(fisher, tf.constant(gamma)), taskFisher);
  }

  @Override
  public Config config() {
    return config;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  @Override
  public List<StateVariable> state() {
    return List.copyOf(state);
  }

  @Override
  public Operand<TFloat32> penalty() {
    return penalty;
  }

  @Override
  public Optional<List<Operand<TFloat32>>> penaltyGradients() {
    return Optional.of(List.copyOf(penaltyGradients));
  }

  @Override
  public Optional<ImportanceEstimator> estimator() {
    return Optional.of(
        new PerExampleEstimate(
            config.samples(),
            estimates,
            PerExampleEstimate.Signal.SQUARED,
            ElasticWeightConsolidation::logLikelihoodOfSampledLabel));
  }

  /** F* ← γ F* + F_t, θ* ← θ, then F_t ← 0. */
  @Override
  public List<Op> consolidate() {
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      updates.add(
          tf.assign(
              fishers.get(i),
              decayedFisher(tf, fishers.get(i), estimates.get(i), (float) config.gamma())));
      updates.add(tf.assign(anchors.get(i), parameters.get(i).variable()));
    }
    List<Op> ops = new ArrayList<>(updates);
    ops.addAll(PerExampleEstimate.clear(tf.withControlDependencies(updates), estimates));
    return ops;
  }

  /**
   * Clears the Fisher estimate in progress (it was measured at other weights). The running Fisher
   * and the anchor are what past tasks consolidated, so they stay.
   */
  @Override
  public List<Op> rebase() {
    return PerExampleEstimate.clear(tf, estimates);
  }
}
