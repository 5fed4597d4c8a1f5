package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Acetylcholine as expected uncertainty (Yu &amp; Dayan, "Uncertainty, neuromodulation, and
 * attention", Neuron 46, 2005): the known unreliability of predictions within the current context.
 * We measure it as a slow running average of the squared prediction error,
 *
 * <pre>
 *   u ← u + β_slow (δ² − u)                          {@link #expectedUncertainty}
 * </pre>
 *
 * the variance of outcomes around their prediction once the prediction has settled. Its gate is the
 * trust placed in one new outcome relative to what is already stored,
 *
 * <pre>
 *   τ = 1 / (1 + κ_ACh · u)                          {@link #trust}
 * </pre>
 *
 * which multiplies a plasticity rate (a fast weight's, or an optimizer's) or divides a
 * consolidation strength. The direction follows the Bayesian reading of Yu &amp; Dayan and of the
 * approximately Bayesian delta rule of Nassar et al. (J. Neurosci. 30, 2010), where a learner's
 * rate falls with the known noise of its outcomes (a noisy outcome says little) and rises with
 * unexpected change ({@link Noradrenaline}); the hyperbolic form is ours. Hasselmo's encoding
 * account (Curr. Opin. Neurobiol. 16, 2006), in which acetylcholine raises plasticity, would flip
 * the sign.
 */
public final class Acetylcholine {
  private Acetylcholine() {}

  /**
   * u ← u + β_slow (δ² − u).
   *
   * @param uncertainty u before the outcome, [B] or a scalar
   * @param error the outcome's prediction error δ, the shape of u
   * @param slowRate β_slow ∈ (0, 1]
   */
  public static Operand<TFloat32> expectedUncertainty(
      Ops tf, Operand<TFloat32> uncertainty, Operand<TFloat32> error, float slowRate) {
    return Neuromodulation.baselineUpdate(tf, uncertainty, tf.math.square(error), slowRate);
  }

  /**
   * τ = 1 / (1 + κ_ACh · u), in (0, 1].
   *
   * @param uncertainty u ≥ 0
   * @param slope κ_ACh ≥ 0
   */
  public static Operand<TFloat32> trust(Ops tf, Operand<TFloat32> uncertainty, float slope) {
    return tf.math.reciprocal(
        tf.math.add(tf.constant(1f), tf.math.mul(tf.constant(slope), uncertainty)));
  }
}
