package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A rule that accumulates something after every optimizer step (SI's path integral, the Benna–Fusi
 * chain, a loss baseline). It never writes a parameter: other rules read the parameters there.
 */
public interface AfterStep extends ConsolidationRule {
  /**
   * What a rule sees after an optimizer step.
   *
   * @param tf builds ops that run after every parameter update of the step, so they read updated
   *     parameters
   * @param taskGradients ∂L_task/∂θ for each governed parameter (the task loss without penalties),
   *     in {@link #parameters()} order
   * @param appliedUpdates θ_after − θ_before for each governed parameter, same order; empty unless
   *     the rule {@linkplain #needsAppliedUpdates() asks for them}
   * @param taskLoss the scalar task loss L_task of the step's batch, computed from the parameters
   *     before the step
   */
  record Context(
      Ops tf,
      List<Operand<TFloat32>> taskGradients,
      List<Operand<TFloat32>> appliedUpdates,
      Operand<TFloat32> taskLoss) {
    public Context {
      checkNotNull(tf, "tf");
      taskGradients = List.copyOf(taskGradients);
      appliedUpdates = List.copyOf(appliedUpdates);
      checkNotNull(taskLoss, "taskLoss");
    }
  }

  /**
   * Whether {@link #afterStep} reads {@link Context#appliedUpdates()}: they cost a copy of each
   * parameter before the step, so the graph makes them only for rules that ask.
   */
  boolean needsAppliedUpdates();

  /** Ops to run after each optimizer step. */
  List<Op> afterStep(Context context);
}
