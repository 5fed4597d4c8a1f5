package dev.metaplastic.ops;

import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * A consolidation rule attached to a graph: per-synapse state plus a few optional hooks, which the
 * training graph calls in this order.
 *
 * <ol>
 *   <li>{@link #penalty()} is added to the task loss before gradients are taken;
 *   <li>{@link #afterStep} runs after every optimizer step, with the gradient of the task loss
 *       (without penalties) and the update the optimizer actually applied;
 *   <li>{@link #consolidate()} runs at each task boundary.
 * </ol>
 *
 * <p>A rule never trains its own state: the optimizer only sees the model's parameters.
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
   * The gradient of {@link #penalty()} with respect to each governed parameter, in {@link
   * #parameters()} order, written out by the rule, or empty to let the training graph derive it
   * with TensorFlow's symbolic gradients. A closed form (2cΩ(θ − θ*) for a quadratic penalty) takes
   * fewer ops per step than the derived one.
   */
  default Optional<List<Operand<TFloat32>>> penaltyGradients() {
    return Optional.empty();
  }

  /**
   * Ops to run after each optimizer step.
   *
   * @param taskGradients ∂L_task/∂θ for each governed parameter, in {@link #parameters()} order
   * @param appliedUpdates θ_after − θ_before for each governed parameter, same order; empty unless
   *     {@link #needsAppliedUpdates()}
   * @return ops to run (empty if the rule accumulates nothing)
   */
  default List<Op> afterStep(
      List<Operand<TFloat32>> taskGradients, List<Operand<TFloat32>> appliedUpdates) {
    return List.of();
  }

  /** Whether {@link #afterStep} needs the applied updates (they cost a copy of each parameter). */
  default boolean needsAppliedUpdates() {
    return false;
  }

  /** Ops to run at a task boundary. */
  List<Op> consolidate();

  /**
   * Ops that restart the rule's bookkeeping of the current task from the current parameters,
   * keeping what past tasks consolidated. Run them after parameters were overwritten from outside
   * training, such as weights imported from another model.
   */
  List<Op> rebase();
}
