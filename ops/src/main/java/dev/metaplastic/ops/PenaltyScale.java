package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A rule that scales the strength of every {@link Penalty} of its graph (acetylcholine's trust in
 * consolidated memory over new input, {@link NeuromodulatoryGate}): the training graph multiplies
 * the sum of the penalties, and their gradients, by the product of these scales. It adds no penalty
 * of its own.
 */
public interface PenaltyScale extends ConsolidationRule {
  /**
   * What the graph gives the scale hook.
   *
   * @param tf where to build the ops: the rule's own scope; they read the rule's state before the
   *     step
   */
  record Context(Ops tf) {
    public Context {
      checkNotNull(tf, "tf");
    }
  }

  /** The factor, a scalar &gt; 0; the graph calls it once. */
  Operand<TFloat32> penaltyScale(Context context);
}
