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
 */
public record StepContext(
    Ops tf, List<Operand<TFloat32>> taskGradients, List<Operand<TFloat32>> appliedUpdates) {
  public StepContext {
    taskGradients = List.copyOf(taskGradients);
    appliedUpdates = List.copyOf(appliedUpdates);
  }
}
