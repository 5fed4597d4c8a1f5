package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.ops.StateVariables.Slot;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The body shared by the rules that keep, for each governed parameter, one running importance Ω and
 * one anchor θ* (the weights at the end of the previous task), penalize λ/2 · Σ Ω (θ − θ*)², and
 * estimate each task's importance Ω_t from data at its boundary: online EWC (Ω is the Fisher) and
 * MAS (Ω is the output sensitivity). A subclass names its state and gives {@link
 * #consolidatedImportance}, how Ω_t joins Ω.
 *
 * <p>State, named {@code <rule>/<parameter>/<state>}: {@code <importance>} Ω, {@code anchor} θ*,
 * and {@code <importance>_estimate} Ω_t, accumulated example by example at a boundary, folded into
 * Ω by {@link #consolidate} and cleared.
 */
abstract class AnchoredImportanceRule<C extends RuleConfig> extends AttachedRule<C>
    implements Penalty, ConsolidationFromData, Rebase {
  private final float lambda;
  private final List<Variable<TFloat32>> importances;
  private final List<Variable<TFloat32>> anchors;
  private final List<Variable<TFloat32>> estimates;
  private final PerExampleEstimate estimator;

  /**
   * Creates the state.
   *
   * @param config the rule's configuration
   * @param name the rule's name, the first segment of its state variables
   * @param importanceName the state name of Ω, such as {@code fisher}
   * @param lambda the penalty's strength λ
   * @param samples examples per task boundary
   * @param signal what each example adds to Ω_t per synapse
   * @param objective the scalar of one example whose gradient is the signal's input
   * @param batchObjective the sum of {@code objective} over a batch's rows, each with its seed
   */
  AnchoredImportanceRule(
      C config,
      String name,
      String importanceName,
      double lambda,
      VariableRegistry variables,
      List<Parameter> parameters,
      int samples,
      PerExampleEstimate.Signal signal,
      PerExampleEstimate.Objective objective,
      PerExampleEstimate.Objective batchObjective) {
    super(config, variables, name, parameters);
    checkArgument(!parameters.isEmpty(), "rule %s needs at least one parameter", name);
    this.lambda = (float) lambda;
    StateVariables state = stateVariables();
    List<List<Variable<TFloat32>>> created =
        state.perParameter(
            parameters,
            Slot.zeros(importanceName),
            Slot.initialValue("anchor"),
            Slot.zeros(importanceName + "_estimate"));
    this.importances = created.get(0);
    this.anchors = created.get(1);
    this.estimates = created.get(2);
    this.estimator = new PerExampleEstimate(samples, signal, objective, batchObjective, estimates);
  }

  /** Ω after a boundary, from Ω and the estimate Ω_t of the task just learned. */
  abstract Operand<TFloat32> consolidatedImportance(
      Ops tf, Operand<TFloat32> importance, Operand<TFloat32> taskImportance);

  /** λ/2 · Σ Ω (θ − θ*)² and its gradient λ Ω (θ − θ*). */
  @Override
  public Term penalty(Penalty.Context context) {
    return QuadraticPenalty.term(context.tf(), parameters, importances, anchors, lambda);
  }

  @Override
  public BatchEstimator estimator() {
    return estimator;
  }

  /** Ω ← {@link #consolidatedImportance}(Ω, Ω_t), θ* ← θ, then Ω_t ← 0. */
  @Override
  public List<Op> consolidate(Consolidation.Context context) {
    Ops tf = context.tf();
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      updates.add(
          tf.assign(
              importances.get(i),
              consolidatedImportance(tf, importances.get(i), estimates.get(i))));
      updates.add(tf.assign(anchors.get(i), parameters.get(i).variable()));
    }
    List<Op> ops = new ArrayList<>(updates);
    ops.addAll(PerExampleEstimate.clear(tf.withControlDependencies(updates), estimates));
    return ops;
  }

  /**
   * Clears the estimate in progress (it was measured at other weights). Ω and the anchor are what
   * past tasks consolidated, so they stay.
   */
  @Override
  public List<Op> rebase(Rebase.Context context) {
    return PerExampleEstimate.clear(context.tf(), estimates);
  }
}
