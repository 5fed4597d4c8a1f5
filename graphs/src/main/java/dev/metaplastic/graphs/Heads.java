package dev.metaplastic.graphs;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Per-example head selection, shared by the models with one head per task. */
final class Heads {
  private Heads() {}

  /** One-hot of each example's task, [batch, heads]. */
  static Operand<TFloat32> oneHot(Ops tf, Operand<TInt32> task, int heads) {
    return tf.oneHot(task, tf.constant(heads), tf.constant(1f), tf.constant(0f));
  }

  /**
   * Each example's logits from its own head: stacks the heads' logits to [heads, batch, classes],
   * masks them with one-hot(task) and sums over heads.
   *
   * @param perHead logits of every head for every example, each [batch, classes]
   * @param task head index of each example [batch]
   */
  static Operand<TFloat32> select(
      Ops tf, List<Operand<TFloat32>> perHead, Operand<TInt32> task, int heads) {
    Operand<TFloat32> stacked = tf.stack(perHead);
    Operand<TFloat32> mask =
        tf.expandDims(
            tf.linalg.transpose(oneHot(tf, task, heads), tf.constant(new int[] {1, 0})),
            tf.constant(-1));
    return tf.reduceSum(tf.math.mul(stacked, mask), tf.constant(0));
  }
}
