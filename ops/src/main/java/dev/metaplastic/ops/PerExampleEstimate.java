package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The running per-example importance estimate of the rules that estimate importance from data at a
 * task boundary (see {@link ImportanceEstimator}): one estimate variable per governed parameter, to
 * which each example adds weight · s(g), where g is the example's gradient and s is the rule's
 * per-synapse signal (g² for EWC's Fisher, |g| for MAS).
 */
final class PerExampleEstimate {
  /** What each example contributes per synapse, from its gradient g. */
  enum Signal {
    /** g², the diagonal of the Fisher information (EWC). */
    SQUARED,
    /** |g|, the output sensitivity (MAS). */
    ABSOLUTE;

    Operand<TFloat32> of(Ops tf, Operand<TFloat32> gradient) {
      return this == SQUARED ? tf.math.square(gradient) : tf.math.abs(gradient);
    }
  }

  private PerExampleEstimate() {}

  /**
   * estimate ← estimate + weight · s(g), for every governed parameter.
   *
   * @param estimates the estimate variable of each parameter
   * @param gradients one example's gradient for each parameter, same order
   * @param weight the example's weight in the mean, 1/samples
   */
  static List<Op> accumulate(
      Ops tf,
      List<Variable<TFloat32>> estimates,
      List<Operand<TFloat32>> gradients,
      Operand<TFloat32> weight,
      Signal signal) {
    checkArgument(
        gradients.size() == estimates.size(),
        "expected %s gradients, one per governed parameter, got %s",
        estimates.size(),
        gradients.size());
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < estimates.size(); i++) {
      ops.add(tf.assignAdd(estimates.get(i), tf.math.mul(signal.of(tf, gradients.get(i)), weight)));
    }
    return ops;
  }

  /** estimate ← 0 for every governed parameter. */
  static List<Op> clear(Ops tf, List<Variable<TFloat32>> estimates) {
    List<Op> ops = new ArrayList<>();
    for (Variable<TFloat32> estimate : estimates) {
      ops.add(tf.assign(estimate, tf.zerosLike(estimate)));
    }
    return ops;
  }
}
