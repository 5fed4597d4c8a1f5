package dev.metaplastic.ops;

import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A consolidation rule attached to a graph: per-synapse state plus a few optional hooks, which the
 * training graph calls in this order.
 *
 * <ol>
 *   <li>{@link #penalty()} is added to the task loss before gradients are taken;
 *   <li>{@link #transformSteps} may rescale the step the optimizer proposes for each parameter
 *       before it is applied (metaplasticity, a neuromodulated learning rate);
 *   <li>{@link #afterStep} runs after every optimizer step, with the gradient of the task loss
 *       (without penalties) and the update the optimizer actually applied;
 *   <li>at each task boundary, the {@link #estimator()} (if any) accumulates an importance estimate
 *       from examples of the task just learned, then {@link #consolidate()} runs.
 * </ol>
 *
 * <p>Every hook but {@link #consolidate()} and {@link #rebase()} is optional. A rule never trains
 * its own state: the optimizer only sees the model's parameters.
 */
public interface ConsolidationRule {
  /** The configuration this rule was attached from. */
  RuleConfig config();

  /**
   * The governed parameters, in the order gradients and updates are passed to {@link #afterStep}.
   */
  List<Parameter> parameters();

  /** Every per-synapse state variable the rule owns. */
  List<StateVariable> state();

  /** A scalar added to the loss; a constant zero for rules without a penalty. */
  Operand<TFloat32> penalty();

  /**
   * Whether {@link #penalty()} depends on the parameters; the training graph takes no penalty
   * gradient of a rule without one.
   */
  default boolean hasPenalty() {
    return true;
  }

  /**
   * The gradient of {@link #penalty()} with respect to each governed parameter, in {@link
   * #parameters()} order, written out by the rule, or empty to let the training graph derive it
   * with TensorFlow's symbolic gradients. A closed form (2cΩ(θ − θ*) for a quadratic penalty) takes
   * fewer ops per step than the derived one.
   */
  default Optional<List<Operand<TFloat32>>> penaltyGradients() {
    return Optional.empty();
  }

  /**
   * Whether the rule rescales the optimizer's steps with {@link #transformSteps}. At most one rule
   * of a graph may; the optimizer then computes its step explicitly instead of with its fused
   * kernel.
   */
  default boolean transformsSteps() {
    return false;
  }

  /**
   * Rescales the steps the optimizer proposes, θ ← θ − step, before they are applied; called only
   * if {@link #transformsSteps()}.
   *
   * @param tf where to build the ops; they run before any parameter of the step is updated
   * @param steps the proposed step of each governed parameter, in {@link #parameters()} order
   * @return the steps to apply, same order and shapes
   */
  default List<Operand<TFloat32>> transformSteps(Ops tf, List<Operand<TFloat32>> steps) {
    return steps;
  }

  /**
   * As {@link #transformSteps(Ops, List)}, for a rule whose rescaling depends on the step's task
   * loss (a learning-rate gate driven by surprise). The training graph calls this form; by default
   * it ignores the loss and calls {@link #transformSteps(Ops, List)}.
   *
   * @param taskLoss the scalar task loss of the step's batch (without penalties), computed from the
   *     parameters before the step
   */
  default List<Operand<TFloat32>> transformSteps(
      Ops tf, List<Operand<TFloat32>> steps, Operand<TFloat32> taskLoss) {
    return transformSteps(tf, steps);
  }

  /**
   * Ops to run after each optimizer step; empty if the rule accumulates nothing.
   *
   * @param step the step's context: ops that run after the update, gradients and applied updates
   */
  default List<Op> afterStep(StepContext step) {
    return List.of();
  }

  /** Whether {@link #afterStep} needs the applied updates (they cost a copy of each parameter). */
  default boolean needsAppliedUpdates() {
    return false;
  }

  /** How the rule estimates importance from data at a task boundary; empty if it does not. */
  default Optional<ImportanceEstimator> estimator() {
    return Optional.empty();
  }

  /** Ops to run at a task boundary, after the {@link #estimator()} has seen its examples. */
  List<Op> consolidate();

  /**
   * Ops that restart the rule's bookkeeping of the current task from the current parameters,
   * keeping what past tasks consolidated. Run them after parameters were overwritten from outside
   * training, such as weights imported from another model.
   */
  List<Op> rebase();
}
