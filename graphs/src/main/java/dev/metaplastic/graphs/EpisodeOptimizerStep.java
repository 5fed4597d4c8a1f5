package dev.metaplastic.graphs;

import dev.metaplastic.ops.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * One optimizer step of an episode training graph: the gradient of a loss over explicit parameters,
 * rescaled to a global norm of at most c (g_i · c / max(‖g‖, c)), applied by the optimizer once
 * every clipped gradient and the loss are computed (so no op of the step reads a weight another
 * update already changed), and the two counters {@code training_steps} and {@code episodes_trained}
 * advanced.
 */
final class EpisodeOptimizerStep {
  private EpisodeOptimizerStep() {}

  /**
   * The step's outputs, each evaluated only after every update.
   *
   * @param loss {@code <scope>/loss}: the loss as computed before the step
   * @param gradientNorm {@code <scope>/gradient_norm}: the global norm before clipping
   */
  record Outputs(Operand<TFloat32> loss, Operand<TFloat32> gradientNorm) {}

  /**
   * Builds the step in {@code train}.
   *
   * @param episodes a tensor whose first dimension is the number of episodes in the batch
   * @param clipNorm c &gt; 0, or {@code +Infinity} for no clipping
   */
  static Outputs build(
      Ops train,
      Operand<TFloat32> loss,
      List<Parameter> parameters,
      Optimizer updater,
      double clipNorm,
      Variable<TInt64> trainingSteps,
      Variable<TInt64> episodesTrained,
      Operand<? extends TType> episodes) {
    List<Operand<TFloat32>> gradients = gradients(train, loss, parameters);
    Operand<TFloat32> norm = globalNorm(train, gradients);
    List<Operand<TFloat32>> clipped = clip(train, gradients, norm, clipNorm);
    List<Operation> beforeUpdate = new ArrayList<>();
    clipped.forEach(g -> beforeUpdate.add(g.op()));
    beforeUpdate.add(loss.op());
    Ops afterGradients = train.withControlDependencyOps(beforeUpdate);
    List<Op> updates = new ArrayList<>(updater.apply(afterGradients, parameters, clipped));
    Operand<TInt64> batch =
        afterGradients.gather(
            afterGradients.shape(episodes, TInt64.class),
            afterGradients.constant(0),
            afterGradients.constant(0));
    updates.add(afterGradients.assignAdd(trainingSteps, afterGradients.constant(1L)));
    updates.add(afterGradients.assignAdd(episodesTrained, batch));
    Ops done = train.withControlDependencies(updates);
    return new Outputs(
        done.withName("loss").identity(loss), done.withName("gradient_norm").identity(norm));
  }

  /** ∂y/∂θ for each parameter, taken in the sub-scope {@code gradients} of {@code tf}. */
  private static List<Operand<TFloat32>> gradients(
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
  private static Operand<TFloat32> globalNorm(Ops tf, List<Operand<TFloat32>> gradients) {
    List<Operand<TFloat32>> squares = new ArrayList<>();
    for (Operand<TFloat32> g : gradients) {
      squares.add(
          tf.reduceSum(tf.reshape(tf.math.square(g), tf.constant(new int[] {-1})), tf.constant(0)));
    }
    return tf.math.sqrt(tf.math.addN(squares));
  }

  /** g_i · c / max(‖g‖, c); every gradient unchanged when c is infinite. */
  private static List<Operand<TFloat32>> clip(
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
