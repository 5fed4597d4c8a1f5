package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.metaplastic.ops.StateVariables.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * each. Presets ({@link #DESCRIPTOR}): the paper's c = 1 and ξ = 10⁻³ on split streams (split
 * MNIST); on permuted streams the paper's ξ = 0.1 but c = 10 instead of its 0.1 (permuted MNIST),
 * because a few hundred steps on 10,000 images per task leave a path integral far smaller than the
 * paper's 20 epochs on 60,000 (c ∈ {0.1, 1, 10, 30} swept on permuted Fashion-MNIST; the README
 * gives the runs).
 */
public final class SynapticIntelligence extends AttachedRule<SynapticIntelligence.Config>
    implements Penalty, AfterStep, Consolidation, Rebase {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "si";

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(NAME, h -> new Config(h.real("c"), h.real("xi")))
          .hyperparameter(
              Hyperparameter.real("c", 1.0, "strength c of the surrogate loss, finite and >= 0"))
          .hyperparameter(
              Hyperparameter.real("xi", 1e-3, "damping xi of the importance update, > 0"))
          .preset(StreamKind.PERMUTED, Map.of("c", 10.0, "xi", 0.1))
          .summary(
              "Synaptic Intelligence",
              "Zenke, Poole & Ganguli 2017",
              "`path_integral` ω, `importance` Ω, `anchor` θ*, `task_start`")
          .presetSource(
              "the paper's values, except c on permuted streams (paper: 0.1), which our shorter"
                  + " tasks need 100 times larger")
          .build();

  private final List<Variable<TFloat32>> pathIntegrals;
  private final List<Variable<TFloat32>> importances;
  private final List<Variable<TFloat32>> anchors;
  private final List<Variable<TFloat32>> taskStarts;

  /**
   * Hyperparameters of Synaptic Intelligence.
   *
   * @param c strength of the surrogate loss (the paper's c), ≥ 0
   * @param xi damping ξ of the importance update, &gt; 0
   */
  public record Config(double c, double xi) implements RuleConfig {
    /** The preset for split streams, the paper's split-MNIST setting: c = 1, ξ = 10⁻³. */
    public static final Config SPLIT = DESCRIPTOR.preset(StreamKind.SPLIT);

    /**
     * The preset for permuted streams: c = 10, ξ = 0.1 (the paper's permuted-MNIST setting is c =
     * 0.1, ξ = 0.1; see the class comment).
     */
    public static final Config PERMUTED = DESCRIPTOR.preset(StreamKind.PERMUTED);

    public Config {
      checkArgument(
          c >= 0 && Double.isFinite(c), "SI strength c must be finite and >= 0, got %s", c);
      checkArgument(
          xi > 0 && Double.isFinite(xi), "SI damping xi must be finite and > 0, got %s", xi);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("c", c, "xi", xi);
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new SynapticIntelligence(this, attachment.variables(), attachment.parameters());
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private SynapticIntelligence(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(config, variables, NAME, parameters);
    checkArgument(!parameters.isEmpty(), "Synaptic Intelligence needs at least one parameter");
    StateVariables state = stateVariables();
    List<List<Variable<TFloat32>>> created =
        state.perParameter(
            parameters,
            Slot.zeros("path_integral"),
            Slot.zeros("importance"),
            Slot.initialValue("anchor"),
            Slot.initialValue("task_start"));
    this.pathIntegrals = created.get(0);
    this.importances = created.get(1);
    this.anchors = created.get(2);
    this.taskStarts = created.get(3);
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

  /**
   * The surrogate loss of eq. (4), c · Σ_k Ω_k (θ_k − θ̃_k)², and its gradient 2c Ω (θ − θ̃): the
   * quadratic penalty λ/2 · Σ Ω (θ − θ*)² with λ = 2c.
   */
  @Override
  public Term penalty(Penalty.Context context) {
    return QuadraticPenalty.term(
        context.tf(), parameters, importances, anchors, (float) (2 * config.c()));
  }

  @Override
  public boolean needsAppliedUpdates() {
    return true;
  }

  @Override
  public List<Op> afterStep(AfterStep.Context step) {
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
              step.tf(), pathIntegrals.get(i), taskGradients.get(i), appliedUpdates.get(i)));
    }
    return ops;
  }

  @Override
  public List<Op> consolidate(Consolidation.Context context) {
    Ops tf = context.tf();
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
  public List<Op> rebase(Rebase.Context context) {
    return restart(context.tf());
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
