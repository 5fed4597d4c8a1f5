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
 */
public final class MemoryAwareSynapses implements ConsolidationRule {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "mas";

  private final Config config;
  private final List<Parameter> parameters;
  private final List<Variable<TFloat32>> importances = new ArrayList<>();
  private final List<Variable<TFloat32>> anchors = new ArrayList<>();
  private final List<Variable<TFloat32>> estimates = new ArrayList<>();
  private final List<StateVariable> state = new ArrayList<>();
  private final List<Operand<TFloat32>> penaltyGradients = new ArrayList<>();
  private final Ops tf;
  private final Operand<TFloat32> penalty;

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

    /** The configuration whose {@link #hyperparameters()} are {@code h}. */
    public static Config fromHyperparameters(Map<String, Double> h) {
      return new Config(Rules.required(h, "lambda", NAME), Rules.requiredInt(h, "samples", NAME));
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("lambda", lambda, "samples", (double) samples);
    }

    @Override
    public ConsolidationRule attach(VariableRegistry variables, List<Parameter> parameters) {
      return new MemoryAwareSynapses(this, variables, parameters);
    }

    @Override
    public String toString() {
      return NAME + "(lambda=" + lambda + ", samples=" + samples + ")";
    }
  }

  private MemoryAwareSynapses(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    checkArgument(!parameters.isEmpty(), "MAS needs at least one parameter");
    this.config = config;
    this.parameters = ImmutableList.copyOf(parameters);
    this.tf = variables.scope(NAME);
    Ops init = variables.root();
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (Parameter p : parameters) {
      String prefix = NAME + "/" + p.name() + "/";
      Operand<TFloat32> zeros = init.zeros(init.constant(p.shape()), TFloat32.class);
      Variable<TFloat32> importance = variables.create(prefix + "importance", zeros);
      Variable<TFloat32> anchor = variables.create(prefix + "anchor", p.initialValue());
      Variable<TFloat32> estimate = variables.create(prefix + "importance_estimate", zeros);
      importances.add(importance);
      anchors.add(anchor);
      estimates.add(estimate);
      state.add(new StateVariable(p.name(), "importance", importance));
      state.add(new StateVariable(p.name(), "anchor", anchor));
      state.add(new StateVariable(p.name(), "importance_estimate", estimate));
      terms.add(QuadraticPenalty.weightedSquares(tf, importance, p.variable(), anchor));
      penaltyGradients.add(
          QuadraticPenalty.gradient(tf, importance, p.variable(), anchor, (float) config.lambda()));
    }
    this.penalty = QuadraticPenalty.total(tf, terms, (float) config.lambda());
  }

  /**
   * The unsupervised objective of one example, ‖f(x)‖²₂: the squared L2 norm of the model's output
   * (its logits). The absolute value of its gradient is the example's contribution to Ω (eq. (2)
   * with the global L2-norm output function of the paper).
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
            PerExampleEstimate.Signal.ABSOLUTE,
            (ops, logits, seed) -> squaredOutputNorm(ops, logits)));
  }

  /** Ω ← Ω + Ω_t, θ* ← θ, then Ω_t ← 0. */
  @Override
  public List<Op> consolidate() {
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      updates.add(
          tf.assign(
              importances.get(i), accumulatedImportance(tf, importances.get(i), estimates.get(i))));
      updates.add(tf.assign(anchors.get(i), parameters.get(i).variable()));
    }
    List<Op> ops = new ArrayList<>(updates);
    ops.addAll(PerExampleEstimate.clear(tf.withControlDependencies(updates), estimates));
    return ops;
  }

  /**
   * Clears the importance estimate in progress (it was measured at other weights). The summed
   * importance and the anchor are what past tasks consolidated, so they stay.
   */
  @Override
  public List<Op> rebase() {
    return PerExampleEstimate.clear(tf, estimates);
  }
}
