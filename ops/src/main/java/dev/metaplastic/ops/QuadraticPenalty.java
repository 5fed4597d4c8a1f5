package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The quadratic penalty λ/2 · Σ Ω (θ − θ*)² shared by EWC, online EWC and MAS, and its gradient λ Ω
 * (θ − θ*). Each rule's Javadoc says which of its paper's equations this is.
 */
final class QuadraticPenalty {
  private QuadraticPenalty() {}

  /** Σ Ω (θ − θ*)² over every element of one parameter, before multiplying by λ/2. */
  static Operand<TFloat32> weightedSquares(
      Ops tf, Operand<TFloat32> importance, Operand<TFloat32> theta, Operand<TFloat32> anchor) {
    Operand<TFloat32> displacement = tf.math.sub(theta, anchor);
    return Reductions.sumAll(tf, tf.math.mul(importance, tf.math.square(displacement)));
  }

  /** ∂/∂θ of λ/2 · Σ Ω (θ − θ*)²: λ Ω (θ − θ*). */
  static Operand<TFloat32> gradient(
      Ops tf,
      Operand<TFloat32> importance,
      Operand<TFloat32> theta,
      Operand<TFloat32> anchor,
      float lambda) {
    return tf.math.mul(tf.math.mul(importance, tf.math.sub(theta, anchor)), tf.constant(lambda));
  }

  /** λ/2 · Σ terms, named {@code penalty} in {@code tf}'s scope. */
  static Operand<TFloat32> total(Ops tf, java.util.List<Operand<TFloat32>> terms, float lambda) {
    return tf.withName("penalty").math.mul(tf.constant(lambda / 2), tf.math.addN(terms));
  }
}
