package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * The per-example gradients of one parameter of a dense layer z = a·W + b over a batch, in closed
 * form. With δ_i = ∂o_i/∂z_i the gradient of example i's objective o_i at the layer's
 * pre-activation (one backward pass of Σ_i o_i gives every δ_i, since o_i depends on no other
 * example), example i's gradient is a_i ⊗ δ_i for the kernel W and δ_i for the bias b. Weighted
 * sums over the batch of their squares or absolute values are then matrix products, with no pass
 * per example:
 *
 * <pre>
 *   Σ_i w_i (a_i ⊗ δ_i)²  = (a ⊙ a)ᵀ · (w ⊙ δ ⊙ δ)          Σ_i w_i δ_i²  = wᵀ · (δ ⊙ δ)
 *   Σ_i w_i |a_i ⊗ δ_i|   = |a|ᵀ · (w ⊙ |δ|)                Σ_i w_i |δ_i| = wᵀ · |δ|
 * </pre>
 *
 * since (a_i δ_ij)² = a_i² δ_ij² and |a_i δ_ij| = |a_i| |δ_ij|.
 *
 * @param input the layer's input a, [N, in], for a kernel; null for a bias
 * @param delta δ, [N, out]
 */
public record PerExampleGradients(Operand<TFloat32> input, Operand<TFloat32> delta) {

  public PerExampleGradients {
    checkNotNull(delta, "delta");
  }

  /** A kernel's: input a [N, in] and δ [N, out]. */
  public static PerExampleGradients ofKernel(Operand<TFloat32> input, Operand<TFloat32> delta) {
    return new PerExampleGradients(checkNotNull(input, "a kernel needs its layer's input"), delta);
  }

  /** A bias's: δ [N, out]. */
  public static PerExampleGradients ofBias(Operand<TFloat32> delta) {
    return new PerExampleGradients(null, delta);
  }

  /**
   * Σ_i w_i g_i², elementwise, with g_i example i's gradient: the parameter's shape.
   *
   * @param weights w, [N]
   */
  public Operand<TFloat32> weightedSquares(Ops tf, Operand<TFloat32> weights) {
    return weightedSum(
        tf, input == null ? null : tf.math.square(input), tf.math.square(delta), weights);
  }

  /**
   * Σ_i w_i |g_i|, elementwise: the parameter's shape.
   *
   * @param weights w, [N]
   */
  public Operand<TFloat32> weightedAbsolutes(Ops tf, Operand<TFloat32> weights) {
    return weightedSum(tf, input == null ? null : tf.math.abs(input), tf.math.abs(delta), weights);
  }

  /** Σ_i w_i a'_i ⊗ d'_i for a kernel, Σ_i w_i d'_i for a bias, with rows a' and d'. */
  private static Operand<TFloat32> weightedSum(
      Ops tf, Operand<TFloat32> inputs, Operand<TFloat32> deltas, Operand<TFloat32> weights) {
    Operand<TFloat32> weighted = tf.math.mul(deltas, tf.expandDims(weights, tf.constant(1)));
    if (inputs == null) {
      return tf.reduceSum(weighted, tf.constant(0));
    }
    return tf.linalg.matMul(inputs, weighted, MatMul.transposeA(true));
  }
}
