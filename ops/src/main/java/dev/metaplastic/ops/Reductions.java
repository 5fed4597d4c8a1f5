package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/** Reductions shared by the rules. */
final class Reductions {
  private Reductions() {}

  /** The sum of every element of {@code x}, a scalar. */
  static <T extends TNumber> Operand<T> sumAll(Ops tf, Operand<T> x) {
    return tf.reduceSum(x, allAxes(tf, x));
  }

  /** The axes 0 … rank − 1 of {@code x}: a constant when the rank is static, else a range. */
  static Operand<TInt32> allAxes(Ops tf, Operand<? extends TNumber> x) {
    int rank = x.shape().numDimensions();
    if (rank < 0) {
      return tf.range(tf.constant(0), tf.rank(x), tf.constant(1));
    }
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return tf.constant(axes);
  }
}
