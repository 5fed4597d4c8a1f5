package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Differentiable Hebbian plasticity with the plain decaying trace (Miconi, Clune &amp; Stanley,
 * "Differentiable plasticity: training plastic neural networks with backpropagation", ICML 2018),
 * registered as {@value #NAME}.
 *
 * <ul>
 *   <li>output, eq. (1) before σ: pre·W + pre·(α ⊙ Hebb);
 *   <li>trace, eq. (2): Hebb ← (1 − η) Hebb + η · pre ⊗ post ({@link
 *       HebbianPlasticity#plainUpdate}).
 * </ul>
 *
 * <p>Learned: {@code hebbian/<parameter>/alpha} α [in, out], uniform in [0, {@value #ALPHA_SCALE})
 * from stateless stream {@value #ALPHA_STREAM}; {@code hebbian/<parameter>/eta} η, a scalar
 * starting at {@value #INITIAL_ETA}.
 */
public final class HebbianTraceRule extends HebbianTraceConnection {
  /** The rule's name in {@link FastWeightRules}. */
  public static final String NAME = "hebbian";

  /** Upper bound of the uniform initial α (also Oja's and Backpropamine's). */
  public static final double ALPHA_SCALE = 0.1;

  /** Initial value of the learned η. */
  public static final double INITIAL_ETA = 0.1;

  /** Index of the stateless random stream α is drawn from. */
  public static final int ALPHA_STREAM = 3;

  /** Creates α and η for the connection whose slow weight is {@code slowWeight} [in, out]. */
  public HebbianTraceRule(VariableRegistry variables, Parameter slowWeight, long seed) {
    super(variables, slowWeight, seed);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Eq. (2) as F ⊙ d + pre ⊗ u: d = 1 − η, u = η · post. */
  @Override
  public Operand<TFloat32> decay(Ops tf, Operand<TFloat32> post) {
    return tf.math.sub(tf.constant(1f), eta.variable());
  }

  /** Eq. (2): Hebb ← (1 − η) Hebb + η · pre ⊗ post; {@code preActivation} is not used. */
  @Override
  public Operand<TFloat32> nextTrace(
      Ops tf,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> preActivation,
      Operand<TFloat32> trace) {
    return HebbianPlasticity.plainUpdate(tf, trace, pre, post, eta.variable());
  }
}
