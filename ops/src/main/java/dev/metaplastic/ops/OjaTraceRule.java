package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Differentiable plasticity with Oja's rule as the trace update, the alternative Miconi, Clune
 * &amp; Stanley (ICML 2018) give to their eq. (2) (after Oja 1982), registered as {@value #NAME}.
 *
 * <ul>
 *   <li>output, eq. (1) before σ: pre·W + pre·(α ⊙ Hebb);
 *   <li>trace: Hebb_ij ← Hebb_ij + η post_j (pre_i − post_j Hebb_ij) ({@link
 *       HebbianPlasticity#ojaUpdate}), bounded without a separate decay.
 * </ul>
 *
 * <p>Learned, with the names and initial values of {@link HebbianTraceRule}: {@code
 * hebbian/<parameter>/alpha} and {@code hebbian/<parameter>/eta}. (The state keeps the {@code
 * hebbian} prefix: Oja's is a variant of the Hebbian trace, and saved models name it so.)
 */
public final class OjaTraceRule extends HebbianTraceConnection {
  /** The rule's name in {@link FastWeightRules}. */
  public static final String NAME = "oja";

  /** Creates α and η for the connection whose slow weight is {@code slowWeight} [in, out]. */
  public OjaTraceRule(VariableRegistry variables, Parameter slowWeight, long seed) {
    super(variables, slowWeight, seed);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Oja's update as F ⊙ d + pre ⊗ u: Hebb_ij (1 − η post_j²) + pre_i η post_j, so d = 1 − η post²,
   * one factor per postsynaptic unit, and u = η · post.
   */
  @Override
  public Operand<TFloat32> decay(Ops tf, Operand<TFloat32> post) {
    return tf.math.sub(tf.constant(1f), tf.math.mul(eta.variable(), tf.math.square(post)));
  }

  /** Oja: Hebb ← Hebb + η post ⊙ (pre − post ⊙ Hebb); {@code preActivation} is not used. */
  @Override
  public Operand<TFloat32> nextTrace(
      Ops tf,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> preActivation,
      Operand<TFloat32> trace) {
    return HebbianPlasticity.ojaUpdate(tf, trace, pre, post, eta.variable());
  }
}
