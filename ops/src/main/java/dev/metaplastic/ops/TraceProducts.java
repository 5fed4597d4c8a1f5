package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;

/**
 * How a cell that carries the per-example trace F [B, in, out] forms its two products with it: the
 * output Σ_i x_bi F_bij and the outer product pre ⊗ post. Both forms compute the same equations;
 * the order of the float operations, and so the last bits, differ, so a model keeps the form it was
 * built with (the manifest's {@code trace_products}). The output's form is read by every rule whose
 * output is {@link HebbianPlasticity#effectiveOutput} (Hebbian, Oja, neuromodulated, dopamine), the
 * outer product's by the clipped traces of {@link Neuromodulation#simpleUpdate} (neuromodulated,
 * dopamine), which also clip in one op when {@link #BATCHED}.
 */
public enum TraceProducts {
  /**
   * Broadcast products and sums ({@link HebbianPlasticity#plasticOutput}, {@link
   * HebbianPlasticity#outerProduct}): the form of every file written before {@link #BATCHED}.
   */
  ELEMENTWISE,

  /**
   * Batched matrix products: the output is [B, 1, in]·[B, in, out], which reads F once and whose
   * gradient is two more batched products (the broadcast form writes [B, in, out] twice and sums
   * it); the outer product is [B, in, 1]·[B, 1, out], whose gradient writes nothing of size [B, in,
   * out].
   */
  BATCHED;

  /**
   * Σ_i x_bi F_bij: the output of a per-example fast weight F, [B, in, out], for input x [B, in];
   * returns [B, out].
   */
  public Operand<TFloat32> output(Ops tf, Operand<TFloat32> x, Operand<TFloat32> fastWeight) {
    if (this == ELEMENTWISE) {
      return HebbianPlasticity.plasticOutput(tf, x, fastWeight);
    }
    Operand<TFloat32> row = tf.expandDims(x, tf.constant(1));
    return tf.squeeze(tf.train.batchMatMul(row, fastWeight, TFloat32.class), Squeeze.axis(1L));
  }

  /** The per-example outer product pre ⊗ post, [B, in, out], of pre [B, in] and post [B, out]. */
  public Operand<TFloat32> outer(Ops tf, Operand<TFloat32> pre, Operand<TFloat32> post) {
    if (this == ELEMENTWISE) {
      return HebbianPlasticity.outerProduct(tf, pre, post);
    }
    return tf.train.batchMatMul(
        tf.expandDims(pre, tf.constant(2)), tf.expandDims(post, tf.constant(1)), TFloat32.class);
  }
}
