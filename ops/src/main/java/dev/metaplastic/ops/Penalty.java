package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A rule that adds a penalty to the task loss (SI's surrogate loss, EWC's quadratic penalty). */
public interface Penalty extends ConsolidationRule {
  /**
   * What the graph gives the penalty hook.
   *
   * @param tf where to build the penalty's ops: the rule's own scope
   */
  record Context(Ops tf) {
    public Context {
      checkNotNull(tf, "tf");
    }
  }

  /**
   * The penalty, a scalar, and its gradient with respect to each governed parameter.
   *
   * @param value the scalar added to the loss
   * @param gradients ∂value/∂θ for each governed parameter, in {@link #parameters()} order, written
   *     out by the rule: a closed form (2cΩ(θ − θ*) for a quadratic penalty) takes fewer ops per
   *     step than TensorFlow's symbolic gradient
   */
  record Term(Operand<TFloat32> value, List<Operand<TFloat32>> gradients) {
    public Term {
      checkNotNull(value, "value");
      gradients = List.copyOf(gradients);
    }
  }

  /** Builds the penalty; the graph calls it once. */
  Term penalty(Context context);
}
