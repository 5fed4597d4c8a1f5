package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Gradient-based plasticity (Duan, Jia, Li, Zhong &amp; Ma, "Hebbian and gradient-based plasticity
 * enables robust memory and rapid learning in RNNs", ICLR 2023): within an episode, fast weights
 * move down the gradient of a loss the network sets itself, so that the network evolves toward its
 * own target.
 *
 * <p>A plastic connection's effective weight is W + W_fast: the slow weight W [in, out], trained by
 * the outer loop, plus a per-example fast weight W_fast [B, in, out], zero at the start of each
 * episode. After each step the fast weight is updated as in the authors' reference code ({@code
 * PlasticModule.update_floatparam}): W_fast ← (1 − λ m) W_fast − m η ⊙ ∂L_self/∂W_fast, with η a
 * learned per-synapse rate, λ a weight decay and m ∈ [0, 2] an optional per-example modulation read
 * out by the network (the paper's neuromodulated variant; m = 1 without it).
 *
 * <p><b>Where we simplify.</b> The paper differentiates its self-generated loss through the whole
 * network with autograd. Here the gradient is the closed form for one linear connection, post = pre
 * · (W + W_fast), and L_self = ½ ‖target − post‖² with a target operand the cell generates:
 * ∂L_self/∂W_fast = −pre ⊗ (target − post). (The reference code's loss is a weighted mean square of
 * the readout toward zero; any linear-layer target form reduces to this one.) The sign: the
 * reference code adds {@code lr · grad} and learns the sign into η; we write the descent step with
 * a minus, so a positive η descends L_self. The code's optional clipping of the per-example
 * gradient norm is {@link #normClipScale}.
 *
 * <p>State: the fast weight W_fast, [B, in, out], reset each episode and carried through operands,
 * and the learned η, [in, out], which {@link GradientPlasticityRule} names {@code
 * gradient/<parameter>/eta}.
 *
 * <p>Pure functions of operands, usable in an unrolled episode; only ops with a C++ gradient.
 */
public final class GradientPlasticity {
  private GradientPlasticity() {}

  /**
   * The pre-activation through W + W_fast: for each example b, post_b = pre_b · W + pre_b ·
   * W_fast,b.
   *
   * @param pre [B, in]
   * @param w the slow weight, [in, out]
   * @param fastWeight W_fast, [B, in, out]
   * @return [B, out]
   */
  public static Operand<TFloat32> effectiveOutput(
      Ops tf, Operand<TFloat32> pre, Operand<TFloat32> w, Operand<TFloat32> fastWeight) {
    return tf.math.add(
        tf.linalg.matMul(pre, w), HebbianPlasticity.plasticOutput(tf, pre, fastWeight));
  }

  /**
   * The self-generated loss of each example, L_self = ½ Σ_j (target_j − post_j)².
   *
   * @param post [B, out]
   * @param target the network's own target, [B, out]
   * @return [B]
   */
  public static Operand<TFloat32> selfLoss(
      Ops tf, Operand<TFloat32> post, Operand<TFloat32> target) {
    Operand<TFloat32> error = tf.math.sub(target, post);
    return tf.math.mul(tf.constant(0.5f), tf.reduceSum(tf.math.square(error), tf.constant(1)));
  }

  /**
   * The closed-form gradient of {@link #selfLoss} for post = pre · (W + W_fast): ∂L_self/∂W_fast =
   * −pre ⊗ (target − post), per example.
   *
   * @param pre [B, in]
   * @param post [B, out]
   * @param target [B, out]
   * @return [B, in, out]
   */
  public static Operand<TFloat32> selfLossGradient(
      Ops tf, Operand<TFloat32> pre, Operand<TFloat32> post, Operand<TFloat32> target) {
    return tf.math.neg(HebbianPlasticity.outerProduct(tf, pre, tf.math.sub(target, post)));
  }

  /**
   * The fast-weight update of the paper's gradient rule without modulation: W_fast ← (1 − λ) W_fast
   * − η ⊙ ∂L_self/∂W_fast.
   *
   * @param fastWeight W_fast, [B, in, out]
   * @param gradient ∂L_self/∂W_fast, [B, in, out]
   * @param eta η, [in, out] (per synapse) or a scalar
   * @param decay λ, a scalar
   * @return the new W_fast, [B, in, out]
   */
  public static Operand<TFloat32> update(
      Ops tf,
      Operand<TFloat32> fastWeight,
      Operand<TFloat32> gradient,
      Operand<TFloat32> eta,
      Operand<TFloat32> decay) {
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), decay);
    return tf.math.sub(tf.math.mul(keep, fastWeight), tf.math.mul(eta, gradient));
  }

  /**
   * The modulated update of the reference code: W_fast ← (1 − λ d_b) W_fast − r_b η ⊙
   * ∂L_self/∂W_fast, with per-example factors on the rate (r_b) and on the decay (d_b). The paper's
   * neuromodulated variant reads m_b = 2σ(·) out of the network and uses r_b = d_b = m_b; with the
   * gradient-norm clip, r_b = m_b · {@link #normClipScale} and d_b = m_b.
   *
   * @param rateScale per-example factor on the rate, [B]
   * @param decayScale per-example factor on the decay, [B]
   */
  public static Operand<TFloat32> modulatedUpdate(
      Ops tf,
      Operand<TFloat32> fastWeight,
      Operand<TFloat32> gradient,
      Operand<TFloat32> eta,
      Operand<TFloat32> decay,
      Operand<TFloat32> rateScale,
      Operand<TFloat32> decayScale) {
    Operand<TFloat32> keep =
        tf.math.sub(
            tf.constant(1f), tf.math.mul(decay, Neuromodulation.perExample(tf, decayScale)));
    Operand<TFloat32> step =
        tf.math.mul(Neuromodulation.perExample(tf, rateScale), tf.math.mul(eta, gradient));
    return tf.math.sub(tf.math.mul(keep, fastWeight), step);
  }

  /**
   * The reference code's inner gradient clip as a per-example rate factor: min(1, c / ‖g_b‖) with
   * ‖g_b‖ the Frobenius norm of example b's gradient (floored at 10⁻¹², so a zero gradient gives 1
   * and a finite derivative).
   *
   * @param gradient [B, in, out]
   * @param maxNorm c &gt; 0
   * @return [B]
   */
  public static Operand<TFloat32> normClipScale(Ops tf, Operand<TFloat32> gradient, float maxNorm) {
    Operand<TFloat32> norm =
        tf.math.sqrt(
            tf.math.maximum(
                tf.reduceSum(tf.math.square(gradient), tf.constant(new int[] {1, 2})),
                tf.constant(1e-24f)));
    return tf.math.minimum(tf.constant(1f), tf.math.div(tf.constant(maxNorm), norm));
  }
}
