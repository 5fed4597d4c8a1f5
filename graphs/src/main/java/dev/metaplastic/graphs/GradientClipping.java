package dev.metaplastic.graphs;

import dev.metaplastic.ops.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/** The gradient of a loss over explicit parameters, rescaled to a bounded global norm. */
final class GradientClipping {
  private GradientClipping() {}

  /** ∂y/∂θ for each parameter, taken in the sub-scope {@code gradients} of {@code tf}. */
  static List<Operand<TFloat32>> gradients(
      Ops tf, Operand<TFloat32> y, List<Parameter> parameters) {
    List<Operand<TFloat32>> xs = new ArrayList<>();
    parameters.forEach(p -> xs.add(p.variable()));
    Gradients dy = tf.withSubScope("gradients").gradients(y, xs);
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      out.add(dy.<TFloat32>dy(i));
    }
    return out;
  }

  /** √(Σ_i ‖g_i‖²) over every gradient. */
  static Operand<TFloat32> globalNorm(Ops tf, List<Operand<TFloat32>> gradients) {
    List<Operand<TFloat32>> squares = new ArrayList<>();
    for (Operand<TFloat32> g : gradients) {
      squares.add(
          tf.reduceSum(tf.reshape(tf.math.square(g), tf.constant(new int[] {-1})), tf.constant(0)));
    }
    return tf.math.sqrt(tf.math.addN(squares));
  }

  /**
   * g_i · c / max(‖g‖, c): unchanged when the global norm is within c; every gradient unchanged
   * when c is infinite.
   */
  static List<Operand<TFloat32>> clip(
      Ops tf, List<Operand<TFloat32>> gradients, Operand<TFloat32> norm, double clipNorm) {
    if (Double.isInfinite(clipNorm)) {
      return gradients;
    }
    Operand<TFloat32> bound = tf.constant((float) clipNorm);
    Operand<TFloat32> scale = tf.math.div(bound, tf.math.maximum(norm, bound));
    List<Operand<TFloat32>> out = new ArrayList<>();
    gradients.forEach(g -> out.add(tf.math.mul(g, scale)));
    return out;
  }
}
