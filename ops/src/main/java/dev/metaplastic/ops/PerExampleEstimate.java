package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The running per-example importance estimate of the rules that estimate importance from data at a
 * task boundary: one estimate variable per governed parameter, to which each example adds weight ·
 * s(g), where g is the gradient of the rule's objective for that example and s is the rule's
 * per-synapse signal (g² for EWC's Fisher, |g| for MAS).
 */
final class PerExampleEstimate implements ImportanceEstimator {
  /** The rule's scalar of one example, from its logits and seed. */
  @FunctionalInterface
  interface Objective {
    Operand<TFloat32> of(Ops tf, Operand<TFloat32> logits, Operand<TInt64> seed);
  }

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

  private final int samples;
  private final Signal signal;
  private final Objective objective;
  private final List<Variable<TFloat32>> estimates;

  /**
   * @param samples examples per task boundary
   * @param signal what each example adds per synapse
   * @param objective the scalar whose per-example gradient is the signal's input
   * @param estimates the running estimate of each governed parameter
   */
  PerExampleEstimate(
      int samples, Signal signal, Objective objective, List<Variable<TFloat32>> estimates) {
    this.samples = samples;
    this.signal = signal;
    this.objective = objective;
    this.estimates = List.copyOf(estimates);
  }

  @Override
  public int samples() {
    return samples;
  }

  @Override
  public Operand<TFloat32> objective(Example example) {
    return objective.of(example.tf(), example.logits(), example.seed());
  }

  /** estimate ← estimate + weight · s(g), for every governed parameter. */
  @Override
  public List<Op> accumulate(ExampleGradients example) {
    List<Operand<TFloat32>> gradients = example.gradients();
    checkArgument(
        gradients.size() == estimates.size(),
        "expected %s gradients, one per governed parameter, got %s",
        estimates.size(),
        gradients.size());
    Ops tf = example.tf();
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < estimates.size(); i++) {
      ops.add(
          tf.assignAdd(
              estimates.get(i), tf.math.mul(signal.of(tf, gradients.get(i)), example.weight())));
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
