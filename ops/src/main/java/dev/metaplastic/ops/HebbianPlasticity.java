package dev.metaplastic.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Differentiable Hebbian plasticity (Miconi, Clune &amp; Stanley, "Differentiable plasticity:
 * training plastic neural networks with backpropagation", ICML 2018): within an episode each
 * connection carries a fast Hebbian trace on top of its slow weight.
 *
 * <p>For a plastic connection from {@code in} to {@code out} units, with a leading batch dimension
 * B (one episode per example):
 *
 * <ul>
 *   <li>{@code w} W, shape [in, out]: the slow weight, trained by the outer loop;
 *   <li>{@code alpha} α, shape [in, out]: the learned plasticity coefficient of each synapse;
 *   <li>{@code eta} η, a scalar: the learned rate of the trace;
 *   <li>{@code hebb} Hebb, shape [B, in, out]: the trace, zero at the start of every episode.
 * </ul>
 *
 * <p>The rules that use these equations ({@link HebbianTraceRule}, {@link OjaTraceRule}) name the
 * learned coefficients {@code <rule>/<parameter>/alpha} and {@code .../eta}. Unlike consolidation
 * state, α and η are trainable: the outer loop learns them by backpropagation through the unrolled
 * episode. The trace is episode state: the plastic cell carries it through its unrolled steps and
 * keeps it in a variable only if an episode spans several session calls.
 *
 * <p>Every method here is a pure function of operands: it takes the state of step t and returns
 * that of step t + 1, so a cell can chain the calls over an unrolled episode and backpropagate
 * through them. Only ops with a gradient in TensorFlow's C++ registry are used (products,
 * broadcasts, sums; no batch matmul or einsum), so {@code tf.gradients} works through them from
 * Java.
 */
public final class HebbianPlasticity {
  private HebbianPlasticity() {}

  /**
   * The pre-activation of eq. (1), x_j(t) = σ(Σ_i [w_ij + α_ij Hebb_ij(t)] x_i(t − 1)), before the
   * nonlinearity σ: for each example b, y_b = x_b · W + x_b · (α ⊙ Hebb_b). The plastic part is Σ_i
   * x_bi α_ij Hebb_bij.
   *
   * @param x the presynaptic activity x(t − 1), [B, in]
   * @param w the slow weight W, [in, out]
   * @param alpha the plasticity coefficients α, [in, out]
   * @param hebb the trace Hebb(t), [B, in, out]
   * @param products the form of the plastic part's product
   * @return the pre-activation, [B, out]
   */
  public static Operand<TFloat32> effectiveOutput(
      Ops tf,
      Operand<TFloat32> x,
      Operand<TFloat32> w,
      Operand<TFloat32> alpha,
      Operand<TFloat32> hebb,
      TraceProducts products) {
    return tf.math.add(tf.linalg.matMul(x, w), products.output(tf, x, tf.math.mul(alpha, hebb)));
  }

  /**
   * Σ_i x_bi F_bij: the output of a per-example fast weight F, [B, in, out], for input x [B, in];
   * returns [B, out].
   */
  static Operand<TFloat32> plasticOutput(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> fastWeight) {
    Operand<TFloat32> column = tf.expandDims(x, tf.constant(2));
    return tf.reduceSum(tf.math.mul(column, fastWeight), tf.constant(1));
  }

  /**
   * The per-example outer product pre ⊗ post, [B, in, out], of pre [B, in] and post [B, out]: the
   * co-activity x_i(t − 1) x_j(t) of every synapse.
   */
  public static Operand<TFloat32> outerProduct(
      Ops tf, Operand<TFloat32> pre, Operand<TFloat32> post) {
    return tf.math.mul(tf.expandDims(pre, tf.constant(2)), tf.expandDims(post, tf.constant(1)));
  }

  /**
   * Eq. (2), the plain Hebbian trace: Hebb_ij(t + 1) = η x_i(t − 1) x_j(t) + (1 − η) Hebb_ij(t).
   *
   * @param hebb Hebb(t), [B, in, out]
   * @param pre x(t − 1), [B, in]
   * @param post x(t), [B, out]
   * @param eta η, a scalar (or any shape that broadcasts against [B, in, out])
   * @return Hebb(t + 1), [B, in, out]
   */
  public static Operand<TFloat32> plainUpdate(
      Ops tf,
      Operand<TFloat32> hebb,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> eta) {
    Operand<TFloat32> keep = tf.math.sub(tf.constant(1f), eta);
    return tf.math.add(tf.math.mul(keep, hebb), tf.math.mul(eta, outerProduct(tf, pre, post)));
  }

  /**
   * Oja's rule in the per-synapse form the paper gives as the alternative to eq. (2) (after Oja
   * 1982): Hebb_ij(t + 1) = Hebb_ij(t) + η x_j(t) (x_i(t − 1) − x_j(t) Hebb_ij(t)). The decay term
   * −η x_j² Hebb_ij keeps the trace bounded without a separate decay: for fixed activity it
   * converges to x_i / x_j.
   *
   * @param hebb Hebb(t), [B, in, out]
   * @param pre x(t − 1), [B, in]
   * @param post x(t), [B, out]
   * @param eta η, a scalar (or any shape that broadcasts against [B, in, out])
   * @return Hebb(t + 1), [B, in, out]
   */
  public static Operand<TFloat32> ojaUpdate(
      Ops tf,
      Operand<TFloat32> hebb,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> eta) {
    Operand<TFloat32> row = tf.expandDims(post, tf.constant(1));
    Operand<TFloat32> column = tf.expandDims(pre, tf.constant(2));
    Operand<TFloat32> residual = tf.math.sub(column, tf.math.mul(row, hebb));
    return tf.math.add(hebb, tf.math.mul(eta, tf.math.mul(row, residual)));
  }

  /** A zero trace for an episode, [batch, in, out], where {@code batch} is a scalar int operand. */
  public static Operand<TFloat32> initialTrace(Ops tf, Operand<TInt32> batch, long in, long out) {
    Operand<TInt32> shape =
        tf.concat(
            List.of(
                tf.reshape(batch, tf.constant(new int[] {1})),
                tf.constant(new int[] {Math.toIntExact(in), Math.toIntExact(out)})),
            tf.constant(0));
    return tf.zeros(shape, TFloat32.class);
  }
}
