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
 * Synaptic Intelligence (Zenke, Poole &amp; Ganguli, "Continual Learning Through Synaptic
 * Intelligence", ICML 2017).
 *
 * <p>For each governed parameter θ the rule keeps, named {@code si/<parameter>/<state>}:
 *
 * <ul>
 *   <li>{@code path_integral} ω: the running contribution of θ to the drop of the task loss;
 *   <li>{@code importance} Ω: the consolidated importance of θ over past tasks (≥ 0);
 *   <li>{@code anchor} θ*: θ at the end of the previous task;
 *   <li>{@code task_start}: θ at the start of the current task.
 * </ul>
 *
 * <p>The equations live in the static methods below; the paper's equation numbers are cited in
 * each. The defaults follow the paper and its reference code: c = 1 and ξ = 10⁻³ for split streams,
 * c = 0.1 and ξ = 0.1 for permuted streams.
 */
public final class SynapticIntelligence implements ConsolidationRule {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "si";

  private final Config config;
  private final List<Parameter> parameters;
  private final List<Variable<TFloat32>> pathIntegrals = new ArrayList<>();
  private final List<Variable<TFloat32>> importances = new ArrayList<>();
  private final List<Variable<TFloat32>> anchors = new ArrayList<>();
  private final List<Variable<TFloat32>> taskStarts = new ArrayList<>();
  private final List<StateVariable> state = new ArrayList<>();
  private final List<Operand<TFloat32>> penaltyGradients = new ArrayList<>();
  private final Ops tf;
  private final Operand<TFloat32> penalty;

  /**
   * Hyperparameters of Synaptic Intelligence.
   *
   * @param c strength of the surrogate loss (the paper's c), ≥ 0
   * @param xi damping ξ of the importance update, &gt; 0
   */
  public record Config(double c, double xi) implements RuleConfig {
    /** The paper's setting for split streams (split MNIST): c = 1, ξ = 10⁻³. */
    public static final Config SPLIT = new Config(1.0, 1e-3);

    /** The paper's setting for permuted streams (permuted MNIST): c = 0.1, ξ = 0.1. */
    public static final Config PERMUTED = new Config(0.1, 0.1);

    public Config {
      checkArgument(
          c >= 0 && Double.isFinite(c), "SI strength c must be finite and >= 0, got %s", c);
      checkArgument(
          xi > 0 && Double.isFinite(xi), "SI damping xi must be finite and > 0, got %s", xi);
    }

    /** The configuration whose {@link #hyperparameters()} are {@code h}. */
    public static Config fromHyperparameters(Map<String, Double> h) {
      return new Config(Rules.required(h, "c", NAME), Rules.required(h, "xi", NAME));
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("c", c, "xi", xi);
    }

    @Override
    public ConsolidationRule attach(VariableRegistry variables, List<Parameter> parameters) {
      return new SynapticIntelligence(this, variables, parameters);
    }

    @Override
    public String toString() {
      return NAME + "(c=" + c + ", xi=" + xi + ")";
    }
  }

  private SynapticIntelligence(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    checkArgument(!parameters.isEmpty(), "Synaptic Intelligence needs at least one parameter");
    this.config = config;
    this.parameters = ImmutableList.copyOf(parameters);
    this.tf = variables.scope(NAME);
    Ops init = variables.root();
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (Parameter p : parameters) {
      String prefix = NAME + "/" + p.name() + "/";
      Operand<TFloat32> zeros = init.zeros(init.constant(p.shape()), TFloat32.class);
      Variable<TFloat32> omega = variables.create(prefix + "path_integral", zeros);
      Variable<TFloat32> importance = variables.create(prefix + "importance", zeros);
      Variable<TFloat32> anchor = variables.create(prefix + "anchor", p.initialValue());
      Variable<TFloat32> start = variables.create(prefix + "task_start", p.initialValue());
      pathIntegrals.add(omega);
      importances.add(importance);
      anchors.add(anchor);
      taskStarts.add(start);
      state.add(new StateVariable(p.name(), "path_integral", omega));
      state.add(new StateVariable(p.name(), "importance", importance));
      state.add(new StateVariable(p.name(), "anchor", anchor));
      state.add(new StateVariable(p.name(), "task_start", start));
      Operand<TFloat32> displacement = tf.math.sub(p.variable(), anchor);
      Operand<TFloat32> weighted = tf.math.mul(importance, displacement);
      terms.add(surrogateTerm(tf, weighted, displacement));
      penaltyGradients.add(surrogateGradient(tf, weighted, (float) config.c()));
    }
    this.penalty =
        tf.withName("penalty").math.mul(tf.constant((float) config.c()), tf.math.addN(terms));
  }

  /**
   * Σ Ω (θ − θ*)², one parameter's part of the surrogate loss of eq. (4), c · Σ_k Ω_k (θ_k −
   * θ̃_k)², before multiplying by c.
   *
   * @param weighted Ω (θ − θ*)
   * @param displacement θ − θ*
   */
  static Operand<TFloat32> surrogateTerm(
      Ops tf, Operand<TFloat32> weighted, Operand<TFloat32> displacement) {
    return Reductions.sumAll(tf, tf.math.mul(weighted, displacement));
  }

  /**
   * Gradient of the surrogate loss of eq. (4) with respect to θ: 2c Ω (θ − θ*).
   *
   * @param weighted Ω (θ − θ*)
   */
  static Operand<TFloat32> surrogateGradient(Ops tf, Operand<TFloat32> weighted, float c) {
    return tf.math.mul(weighted, tf.constant(2 * c));
  }

  /**
   * Path-integral update of eq. (3) for one optimizer step, ω ← ω − g · Δθ: the gradient g of the
   * task loss (without the surrogate loss) times the update Δθ the optimizer actually applied.
   * Summed over the steps of a task, ω approximates that parameter's share of the drop in loss.
   */
  static Op accumulatePathIntegral(
      Ops tf,
      Variable<TFloat32> pathIntegral,
      Operand<TFloat32> taskGradient,
      Operand<TFloat32> appliedUpdate) {
    return tf.assignSub(pathIntegral, tf.math.mul(taskGradient, appliedUpdate));
  }

  /**
   * Importance after a task boundary, eq. (5): Ω ← max(0, Ω + ω / ((Δθ)² + ξ)), where Δθ = θ −
   * θ_start is the total displacement over the task. The rectification keeps Ω ≥ 0, as in the
   * paper's reference code.
   */
  static Operand<TFloat32> consolidatedImportance(
      Ops tf,
      Operand<TFloat32> importance,
      Operand<TFloat32> pathIntegral,
      Operand<TFloat32> theta,
      Operand<TFloat32> taskStart,
      float xi) {
    Operand<TFloat32> displacement = tf.math.square(tf.math.sub(theta, taskStart));
    Operand<TFloat32> added = tf.math.div(pathIntegral, tf.math.add(displacement, tf.constant(xi)));
    return tf.nn.relu(tf.math.add(importance, added));
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
  public boolean needsAppliedUpdates() {
    return true;
  }

  @Override
  public List<Op> afterStep(StepContext step) {
    List<Operand<TFloat32>> taskGradients = step.taskGradients();
    List<Operand<TFloat32>> appliedUpdates = step.appliedUpdates();
    checkArgument(
        taskGradients.size() == parameters.size() && appliedUpdates.size() == parameters.size(),
        "expected %s gradients and updates, got %s and %s",
        parameters.size(),
        taskGradients.size(),
        appliedUpdates.size());
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      ops.add(
          accumulatePathIntegral(
              tf, pathIntegrals.get(i), taskGradients.get(i), appliedUpdates.get(i)));
    }
    return ops;
  }

  @Override
  public List<Op> consolidate() {
    List<Op> importanceUpdates = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Operand<TFloat32> updated =
          consolidatedImportance(
              tf,
              importances.get(i),
              pathIntegrals.get(i),
              parameters.get(i).variable(),
              taskStarts.get(i),
              (float) config.xi());
      importanceUpdates.add(tf.assign(importances.get(i), updated));
    }
    List<Op> ops = new ArrayList<>(importanceUpdates);
    ops.addAll(restart(tf.withControlDependencies(importanceUpdates)));
    return ops;
  }

  /** ω ← 0, θ* ← θ, θ_start ← θ; the importance Ω is kept. */
  @Override
  public List<Op> rebase() {
    return restart(tf);
  }

  private List<Op> restart(Ops after) {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Variable<TFloat32> theta = parameters.get(i).variable();
      ops.add(after.assign(pathIntegrals.get(i), after.zerosLike(pathIntegrals.get(i))));
      ops.add(after.assign(anchors.get(i), theta));
      ops.add(after.assign(taskStarts.get(i), theta));
    }
    return ops;
  }
}
