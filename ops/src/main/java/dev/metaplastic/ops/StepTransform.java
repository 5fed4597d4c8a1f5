package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A rule that rescales the steps the optimizer proposes, θ ← θ − step, before they are applied. At
 * most one rule of a graph may; the optimizer then computes its step explicitly instead of with its
 * fused kernel.
 */
public interface StepTransform extends ConsolidationRule {
  /**
   * What the graph gives the step transform.
   *
   * @param tf where to build the ops; they run before any parameter of the step is updated, so θ
   *     reads its value before the step
   * @param steps the proposed step of each governed parameter, in {@link #parameters()} order
   * @param taskLoss the scalar task loss of the step's batch (without penalties), computed from the
   *     parameters before the step
   */
  record Context(Ops tf, List<Operand<TFloat32>> steps, Operand<TFloat32> taskLoss) {
    public Context {
      checkNotNull(tf, "tf");
      steps = List.copyOf(steps);
      checkNotNull(taskLoss, "taskLoss");
    }

    /**
     * The proposed steps, one per governed parameter in order.
     *
     * @throws IllegalArgumentException if their number differs from the parameters'
     */
    public List<Operand<TFloat32>> steps(List<Parameter> parameters) {
      checkArgument(
          steps.size() == parameters.size(),
          "expected %s steps, one per governed parameter, got %s",
          parameters.size(),
          steps.size());
      return steps;
    }
  }

  /** The steps to apply, in the order and shapes of {@link Context#steps()}. */
  List<Operand<TFloat32>> transformSteps(Context context);
}
