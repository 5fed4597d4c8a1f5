package dev.metaplastic.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What a rule sees after an optimizer step (see {@link ConsolidationRule#afterStep}).
 *
 * @param tf builds ops that run after every parameter update of the step, so they read updated
 *     parameters
 * @param taskGradients ∂L_task/∂θ for each governed parameter (the task loss without penalties), in
 *     {@link ConsolidationRule#parameters()} order
 * @param appliedUpdates θ_after − θ_before for each governed parameter, same order; empty unless
 *     the rule {@linkplain ConsolidationRule#needsAppliedUpdates() asks for them}
 * @param taskLoss the scalar task loss L_task of the step's batch, computed from the parameters
 *     before the step; null where a caller simulates steps without a loss (rules that read it say
 *     so)
 */
public record StepContext(
    Ops tf,
    List<Operand<TFloat32>> taskGradients,
    List<Operand<TFloat32>> appliedUpdates,
    Operand<TFloat32> taskLoss) {
  public StepContext {
    taskGradients = List.copyOf(taskGradients);
    appliedUpdates = List.copyOf(appliedUpdates);
  }

  /** A context without the task loss, for rules that do not read it. */
  public StepContext(
      Ops tf, List<Operand<TFloat32>> taskGradients, List<Operand<TFloat32>> appliedUpdates) {
    this(tf, taskGradients, appliedUpdates, null);
  }
}
