package dev.metaplastic.graphs;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Per-example selection by task, shared by the models with one head per task (and by the binarized
 * MLP's per-task batch normalization).
 */
final class Heads {
  private Heads() {}

  /** One-hot of each example's task, [batch, heads]. */
  static Operand<TFloat32> oneHot(Ops tf, Operand<TInt32> task, int heads) {
    return tf.oneHot(task, tf.constant(heads), tf.constant(1f), tf.constant(0f));
  }

  /**
   * Each example's row of {@code perTask.get(t)} with t its task, given the one-hot of the tasks.
   *
   * @param perTask one operand per task, each [batch, width]
   * @param taskOneHot {@link #oneHot} of each example's task, [batch, tasks]
   */
  static Operand<TFloat32> select(
      Ops tf, List<Operand<TFloat32>> perTask, Operand<TFloat32> taskOneHot) {
    Operand<TFloat32> stacked = tf.stack(perTask);
    Operand<TFloat32> mask =
        tf.expandDims(
            tf.linalg.transpose(taskOneHot, tf.constant(new int[] {1, 0})), tf.constant(-1));
    return tf.reduceSum(tf.math.mul(stacked, mask), tf.constant(0));
  }

  /** Column {@code t} of the one-hot of the tasks: 1 for the examples of task t, else 0 [batch]. */
  static Operand<TFloat32> ofTask(Ops tf, Operand<TFloat32> taskOneHot, int t) {
    return tf.squeeze(
        tf.slice(taskOneHot, tf.constant(new int[] {0, t}), tf.constant(new int[] {-1, 1})),
        Squeeze.axis(1L));
  }
}
