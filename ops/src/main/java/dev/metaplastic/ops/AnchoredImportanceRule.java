package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * Ω by {@link #consolidate()} and cleared.
 */
abstract class AnchoredImportanceRule implements ConsolidationRule {
  private final List<Parameter> parameters;
  private final List<Variable<TFloat32>> importances = new ArrayList<>();
  private final List<Variable<TFloat32>> anchors = new ArrayList<>();
  private final List<Variable<TFloat32>> estimates = new ArrayList<>();
  private final List<StateVariable> state = new ArrayList<>();
  private final List<Operand<TFloat32>> penaltyGradients = new ArrayList<>();
  private final Ops tf;
  private final Operand<TFloat32> penalty;
  private final PerExampleEstimate estimator;

  /**
   * Creates the state and the penalty.
   *
   * @param name the rule's name, the first segment of its state variables
   * @param importanceName the state name of Ω, such as {@code fisher}
   * @param lambda the penalty's strength λ
   * @param estimate how each example adds to Ω_t: its signal, objective and number of examples
   */
  AnchoredImportanceRule(
      String name,
      String importanceName,
      double lambda,
      VariableRegistry variables,
      List<Parameter> parameters,
      PerExampleEstimate.Spec estimate) {
    checkArgument(!parameters.isEmpty(), "rule %s needs at least one parameter", name);
    this.parameters = ImmutableList.copyOf(parameters);
    this.tf = variables.scope(name);
    Ops init = variables.root();
    List<Operand<TFloat32>> terms = new ArrayList<>();
    for (Parameter p : parameters) {
      String prefix = name + "/" + p.name() + "/";
      Operand<TFloat32> zeros = init.zeros(init.constant(p.shape()), TFloat32.class);
      Variable<TFloat32> importance = variables.create(prefix + importanceName, zeros);
      Variable<TFloat32> anchor = variables.create(prefix + "anchor", p.initialValue());
      Variable<TFloat32> taskImportance =
          variables.create(prefix + importanceName + "_estimate", zeros);
      importances.add(importance);
      anchors.add(anchor);
      estimates.add(taskImportance);
      state.add(new StateVariable(p.name(), importanceName, importance));
      state.add(new StateVariable(p.name(), "anchor", anchor));
      state.add(new StateVariable(p.name(), importanceName + "_estimate", taskImportance));
      terms.add(QuadraticPenalty.weightedSquares(tf, importance, p.variable(), anchor));
      penaltyGradients.add(
          QuadraticPenalty.gradient(tf, importance, p.variable(), anchor, (float) lambda));
    }
    this.penalty = QuadraticPenalty.total(tf, terms, (float) lambda);
    this.estimator = estimate.attach(estimates);
  }

  /** Ω after a boundary, from Ω and the estimate Ω_t of the task just learned. */
  abstract Operand<TFloat32> consolidatedImportance(
      Ops tf, Operand<TFloat32> importance, Operand<TFloat32> taskImportance);

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
    return Optional.of(estimator);
  }

  /** Ω ← {@link #consolidatedImportance}(Ω, Ω_t), θ* ← θ, then Ω_t ← 0. */
  @Override
  public List<Op> consolidate() {
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
  public List<Op> rebase() {
    return PerExampleEstimate.clear(tf, estimates);
  }
}
