package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A rule that scales the strength of every consolidation penalty of its graph (such as
 * acetylcholine's trust in memory over new input, {@link NeuromodulatoryGate}): the training graph
 * multiplies the sum of the penalties, and their gradients, by the product of these scales.
 */
public interface PenaltyScale {
  /**
   * The factor, a scalar &gt; 0, read before the step from the rule's state.
   *
   * @param tf where to build the ops
   */
  Operand<TFloat32> penaltyScale(Ops tf);
}
