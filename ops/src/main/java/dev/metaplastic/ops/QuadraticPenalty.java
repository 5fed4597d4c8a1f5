package dev.metaplastic.ops;

import java.util.ArrayList;
import java.util.List;
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

  /**
   * The penalty λ/2 · Σ_i Σ Ω_i (θ_i − θ*_i)² over every governed parameter θ_i, with its
   * importance Ω_i and anchor θ*_i, and its gradient λ Ω_i (θ_i − θ*_i) for each.
   */
  static Penalty.Term term(
      Ops tf,
      List<Parameter> parameters,
      List<? extends Operand<TFloat32>> importances,
      List<? extends Operand<TFloat32>> anchors,
      float lambda) {
    List<Operand<TFloat32>> terms = new ArrayList<>();
    List<Operand<TFloat32>> gradients = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Operand<TFloat32> theta = parameters.get(i).variable();
      terms.add(weightedSquares(tf, importances.get(i), theta, anchors.get(i)));
      gradients.add(gradient(tf, importances.get(i), theta, anchors.get(i), lambda));
    }
    return new Penalty.Term(total(tf, terms, lambda), gradients);
  }

  /** λ/2 · Σ terms, named {@code penalty} in {@code tf}'s scope. */
  static Operand<TFloat32> total(Ops tf, List<Operand<TFloat32>> terms, float lambda) {
    return tf.withName("penalty").math.mul(tf.constant(lambda / 2), tf.math.addN(terms));
  }
}
