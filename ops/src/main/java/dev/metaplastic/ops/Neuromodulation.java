package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Neuromodulated plasticity (Miconi, Rawal, Clune &amp; Stanley, "Backpropamine: training
 * self-modifying neural networks with differentiable neuromodulated plasticity", ICLR 2019), and
 * two gates built on it: a dopamine-like reward-prediction error and a noradrenaline-like gain.
 *
 * <p>The connection is the one of {@link HebbianPlasticity}: output pre-activation x·W + x·(α ⊙
 * Hebb) (Backpropamine's eq. 1 is Miconi et al. 2018's eq. 1), with {@link
 * HebbianPlasticity#effectiveOutput}. What changes is how the trace Hebb moves: a modulator M(t),
 * one value per example [B] computed by the network itself (in the paper the tanh of a linear
 * readout of the hidden state; that readout belongs to the cell, here M is an operand), decides the
 * sign and size of each step.
 *
 * <p>State: the trace Hebb and, in retroactive mode, the eligibility trace E, both [B, in, out] and
 * carried through operands within an episode; the learned α [in, out] and η belong to the rule that
 * uses these equations ({@link BackpropamineRule}, {@link RewardModulatedHebbianRule}).
 *
 * <p>All methods are pure functions of operands (state at step t in, state at t + 1 out), usable in
 * an unrolled episode; they use only ops with a gradient in TensorFlow's C++ registry.
 */
public final class Neuromodulation {
  private Neuromodulation() {}

  /**
   * Simple neuromodulation, Backpropamine eq. (2): Hebb_ij(t + 1) = Clip(Hebb_ij(t) + M(t) x_i(t −
   * 1) x_j(t)), with Clip the hard bound to [−c, c] (the paper's c = 1).
   *
   * @param hebb Hebb(t), [B, in, out]
   * @param pre x(t − 1), [B, in]
   * @param post x(t), [B, out]
   * @param modulator M(t), [B]
   * @param clip the bound c &gt; 0
   * @param products the form of the step: {@link TraceProducts#ELEMENTWISE} scales pre ⊗ post by M
   *     and clips with {@code minimum(maximum(·))}; {@link TraceProducts#BATCHED} forms pre ⊗ (M ·
   *     post) and clips with one {@code ClipByValue}: two [B, in, out] passes fewer forward and a
   *     cheaper gradient, with the same values and the same gradient (passed where |x| ≤ c)
   * @return Hebb(t + 1), [B, in, out]
   */
  public static Operand<TFloat32> simpleUpdate(
      Ops tf,
      Operand<TFloat32> hebb,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> modulator,
      float clip,
      TraceProducts products) {
    if (products == TraceProducts.ELEMENTWISE) {
      Operand<TFloat32> step =
          tf.math.mul(perExample(tf, modulator), products.outer(tf, pre, post));
      return clip(tf, tf.math.add(hebb, step), clip);
    }
    Operand<TFloat32> modulated = tf.math.mul(tf.expandDims(modulator, tf.constant(1)), post);
    return tf.clipByValue(
        tf.math.add(hebb, products.outer(tf, pre, modulated)),
        tf.constant(-clip),
        tf.constant(clip));
  }

  /**
   * Retroactive neuromodulation, trace half, Backpropamine eq. (3): Hebb_ij(t + 1) =
   * Clip(Hebb_ij(t) + M(t) E_ij(t)). It reads the eligibility trace of step t, before {@link
   * #eligibilityUpdate} folds in this step's co-activity (the order of the paper's equations and of
   * its reference code).
   *
   * @param hebb Hebb(t), [B, in, out]
   * @param eligibility E(t), [B, in, out]
   * @param modulator M(t), [B]
   * @param clip the bound c &gt; 0
   * @return Hebb(t + 1), [B, in, out]
   */
  public static Operand<TFloat32> retroactiveUpdate(
      Ops tf,
      Operand<TFloat32> hebb,
      Operand<TFloat32> eligibility,
      Operand<TFloat32> modulator,
      float clip) {
    return clip(tf, tf.math.add(hebb, tf.math.mul(perExample(tf, modulator), eligibility)), clip);
  }

  /**
   * Retroactive neuromodulation, eligibility half, Backpropamine eq. (4): E_ij(t + 1) = (1 − η)
   * E_ij(t) + η x_i(t − 1) x_j(t), a decaying average of recent co-activity that a later modulator
   * turns into a trace change. The same equation as {@link HebbianPlasticity#plainUpdate}.
   *
   * @param eligibility E(t), [B, in, out]
   * @param pre x(t − 1), [B, in]
   * @param post x(t), [B, out]
   * @param eta η, a scalar
   * @return E(t + 1), [B, in, out]
   */
  public static Operand<TFloat32> eligibilityUpdate(
      Ops tf,
      Operand<TFloat32> eligibility,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> eta) {
    return HebbianPlasticity.plainUpdate(tf, eligibility, pre, post, eta);
  }

  /**
   * Dopamine-like reward-prediction error δ = r − V (Schultz, Dayan &amp; Montague, "A neural
   * substrate of prediction and reward", Science 1997; here for a one-step prediction): the reward
   * r minus its baseline or value estimate V. Used as the modulator M of {@link #simpleUpdate} or
   * {@link #retroactiveUpdate}, it strengthens co-active synapses when things went better than
   * expected and weakens them when worse.
   *
   * @param reward r, [B]
   * @param baseline V, [B] or a scalar
   * @return δ, [B]
   */
  public static Operand<TFloat32> rewardPredictionError(
      Ops tf, Operand<TFloat32> reward, Operand<TFloat32> baseline) {
    return tf.math.sub(reward, baseline);
  }

  /**
   * The reward baseline as a running average (the Rescorla–Wagner / delta rule): V ← V + β(r − V).
   * With a scalar V and a batch of rewards, average r over the batch first.
   *
   * @param baseline V
   * @param reward r, the shape of V
   * @param beta β ∈ (0, 1]
   * @return the new V
   */
  public static Operand<TFloat32> baselineUpdate(
      Ops tf, Operand<TFloat32> baseline, Operand<TFloat32> reward, float beta) {
    return tf.math.add(
        baseline, tf.math.mul(tf.constant(beta), rewardPredictionError(tf, reward, baseline)));
  }

  /**
   * Noradrenaline-like gain, g = clip(1 + κ·s, 1, g_max), for a surprise s ≥ 0 (for example |δ|,
   * see {@link #surprise}, or the current loss): 1 when nothing is surprising, growing linearly
   * with surprise up to g_max. This is our form, motivated by the adaptive-gain and
   * unexpected-uncertainty accounts of noradrenaline (Aston-Jones &amp; Cohen 2005; Yu &amp; Dayan
   * 2005), not an equation from those papers. Multiply a learning rate (of a plastic trace, or an
   * optimizer's step) by g to gate it: {@link #gatedRate}.
   *
   * @param surprise s, any shape
   * @param kappa κ ≥ 0
   * @param maxGain g_max ≥ 1
   * @return g, the shape of s, in [1, g_max]
   */
  public static Operand<TFloat32> gain(
      Ops tf, Operand<TFloat32> surprise, float kappa, float maxGain) {
    Operand<TFloat32> linear =
        tf.math.add(tf.constant(1f), tf.math.mul(tf.constant(kappa), surprise));
    return tf.math.minimum(tf.math.maximum(linear, tf.constant(1f)), tf.constant(maxGain));
  }

  /** Surprise as the size of the reward-prediction error, s = |δ|. */
  public static Operand<TFloat32> surprise(Ops tf, Operand<TFloat32> predictionError) {
    return tf.math.abs(predictionError);
  }

  /**
   * A learning rate gated by the gain: rate · g. With {@code rate} a scalar and g of shape [B], the
   * result is one rate per example, which broadcasts against [B, in, out] after {@link
   * #perExample}.
   */
  public static Operand<TFloat32> gatedRate(
      Ops tf, Operand<TFloat32> rate, Operand<TFloat32> gain) {
    return tf.math.mul(rate, gain);
  }

  /** A per-example value [B] reshaped to [B, 1, 1], to scale a [B, in, out] tensor. */
  public static Operand<TFloat32> perExample(Ops tf, Operand<TFloat32> value) {
    return tf.reshape(value, tf.constant(new long[] {-1, 1, 1}));
  }

  /** The hard bound of Backpropamine's Clip: min(max(x, −c), c). */
  static Operand<TFloat32> clip(Ops tf, Operand<TFloat32> x, float c) {
    return tf.math.minimum(tf.math.maximum(x, tf.constant(-c)), tf.constant(c));
  }
}
