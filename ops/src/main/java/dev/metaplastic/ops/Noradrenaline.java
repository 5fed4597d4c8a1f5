package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Noradrenaline as unexpected uncertainty (Yu &amp; Dayan, "Uncertainty, neuromodulation, and
 * attention", Neuron 46, 2005): prediction errors larger than the expected uncertainty accounts
 * for, as when an unsignalled switch of context (a reversal) makes well-predicted outcomes wrong.
 * In their model acetylcholine's expected uncertainty sets the threshold above which noradrenaline
 * signals a change; here a fast running average of the squared prediction error is compared with
 * the slow one of {@link Acetylcholine#expectedUncertainty}:
 *
 * <pre>
 *   f ← f + β_fast (δ² − f)                          {@link #recentError}
 *   ν = max(0, f − u) / (f + ε)                      {@link #unexpectedUncertainty}, in [0, 1)
 * </pre>
 *
 * ν is the share of the recent errors that the expected level u does not explain: near 0 while
 * outcomes are as predictable as usual, near 1 just after a change. It acts in two ways, both
 * flexibility at a reversal: a gain on the plasticity rate, g = 1 + κ_NA · ν ({@link #gain}; the
 * adaptive-gain account of Aston-Jones &amp; Cohen, Annu. Rev. Neurosci. 28, 2005, and the rise of
 * the learning rate with change-point probability that pupil-linked arousal tracks, Nassar et al.,
 * Nat. Neurosci. 15, 2012), and a partial reset of fast weights, Hebb ← (1 − ρ · ν) Hebb ({@link
 * #retention}; the "network reset" of Bouret &amp; Sara, Trends Neurosci. 28, 2005). The
 * fast-versus-slow comparison, the ratio and both gate forms are ours.
 */
public final class Noradrenaline {
  /** ε of {@link #unexpectedUncertainty}, which keeps it finite before any error. */
  public static final float EPSILON = 1e-6f;

  private Noradrenaline() {}

  /**
   * f ← f + β_fast (δ² − f).
   *
   * @param recent f before the outcome, [B] or a scalar
   * @param error the outcome's prediction error δ, the shape of f
   * @param fastRate β_fast ∈ (0, 1], larger than acetylcholine's β_slow
   */
  public static Operand<TFloat32> recentError(
      Ops tf, Operand<TFloat32> recent, Operand<TFloat32> error, float fastRate) {
    return Neuromodulation.baselineUpdate(tf, recent, tf.math.square(error), fastRate);
  }

  /**
   * ν = max(0, f − u) / (f + ε).
   *
   * @param recent the fast average f of δ²
   * @param expected the slow average u of δ² ({@link Acetylcholine#expectedUncertainty})
   */
  public static Operand<TFloat32> unexpectedUncertainty(
      Ops tf, Operand<TFloat32> recent, Operand<TFloat32> expected) {
    return tf.math.div(
        tf.math.maximum(tf.math.sub(recent, expected), tf.constant(0f)),
        tf.math.add(recent, tf.constant(EPSILON)));
  }

  /**
   * g = 1 + κ_NA · ν, in [1, 1 + κ_NA).
   *
   * @param surprise ν ∈ [0, 1)
   * @param slope κ_NA ≥ 0
   */
  public static Operand<TFloat32> gain(Ops tf, Operand<TFloat32> surprise, float slope) {
    return tf.math.add(tf.constant(1f), tf.math.mul(tf.constant(slope), surprise));
  }

  /**
   * The share of a fast weight kept through a surprise, 1 − ρ · ν, in (1 − ρ, 1].
   *
   * @param surprise ν ∈ [0, 1)
   * @param reset ρ ∈ [0, 1], the share wiped by a complete surprise
   */
  public static Operand<TFloat32> retention(Ops tf, Operand<TFloat32> surprise, float reset) {
    return tf.math.sub(tf.constant(1f), tf.math.mul(tf.constant(reset), surprise));
  }
}
