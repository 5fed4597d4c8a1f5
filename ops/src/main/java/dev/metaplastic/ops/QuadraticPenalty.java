package dev.metaplastic.ops;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The quadratic penalty λ/2 · Σ Ω (θ − θ*)² shared by SI, EWC, online EWC, MAS and RWalk, and its
 * gradient λ Ω (θ − θ*). Each rule's Javadoc says which of its paper's equations this is.
 */
final class QuadraticPenalty {
  private QuadraticPenalty() {}

  /**
   * One parameter's part of the penalty: Σ Ω (θ − θ*)² over its elements, before multiplying by
   * λ/2, and its gradient λ Ω (θ − θ*). Both come from the one weighted displacement Ω (θ − θ*),
   * the sum as Σ [Ω (θ − θ*)] (θ − θ*).
   */
  record Part(Operand<TFloat32> weightedSquares, Operand<TFloat32> gradient) {
    static Part of(
        Ops tf,
        Operand<TFloat32> importance,
        Operand<TFloat32> theta,
        Operand<TFloat32> anchor,
        float lambda) {
      Operand<TFloat32> displacement = tf.math.sub(theta, anchor);
      Operand<TFloat32> weighted = tf.math.mul(importance, displacement);
      return new Part(
          Reductions.sumAll(tf, tf.math.mul(weighted, displacement)),
          tf.math.mul(weighted, tf.constant(lambda)));
    }
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
      Part part =
          Part.of(tf, importances.get(i), parameters.get(i).variable(), anchors.get(i), lambda);
      terms.add(part.weightedSquares());
      gradients.add(part.gradient());
    }
    return new Penalty.Term(total(tf, terms, lambda), gradients);
  }

  /** λ/2 · Σ terms, named {@code penalty} in {@code tf}'s scope. */
  static Operand<TFloat32> total(Ops tf, List<Operand<TFloat32>> terms, float lambda) {
    return tf.withName("penalty").math.mul(tf.constant(lambda / 2), tf.math.addN(terms));
  }
}
