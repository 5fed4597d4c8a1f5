package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * An {@link ImportanceEstimator} that also estimates from a batch of examples in one pass, when
 * every governed parameter belongs to a plain dense layer: the per-example gradients such a layer
 * has in closed form ({@link PerExampleGradients}) give the same estimate as feeding the examples
 * one at a time, without a session call or a backward pass per example.
 *
 * <p>The training graph builds {@link #batchObjective} on the logits of a batch, takes one gradient
 * of it with respect to each dense layer's pre-activation, and hands {@link #accumulateBatch} each
 * parameter's per-example gradients with every example's weight (1/samples, and 0 for the rows that
 * only pad the last batch).
 */
public interface BatchEstimator extends ImportanceEstimator {
  /**
   * A batch of examples, as the objective sees it.
   *
   * @param tf where to build the ops
   * @param logits the model's logits, [N, classes]
   * @param seeds one seed per row, [N, 2] (N static), row i's the seed its example would have had
   *     alone
   */
  record Batch(Ops tf, Operand<TFloat32> logits, Operand<TInt64> seeds) {
    public Batch {
      checkNotNull(tf, "tf");
      checkNotNull(logits, "logits");
      checkNotNull(seeds, "seeds");
    }
  }

  /**
   * A batch's per-example gradients, as the accumulation sees them.
   *
   * @param tf where to build the ops
   * @param gradients each governed parameter's per-example gradients, in {@link
   *     ConsolidationRule#parameters()} order
   * @param weights each row's weight in the mean, [N]
   */
  record BatchGradients(Ops tf, List<PerExampleGradients> gradients, Operand<TFloat32> weights) {
    public BatchGradients {
      checkNotNull(tf, "tf");
      gradients = List.copyOf(gradients);
      checkNotNull(weights, "weights");
    }
  }

  /**
   * A scalar whose gradient at each dense layer's pre-activation gives every example's δ_i that
   * {@link #objective} gives for that example alone (up to what the rule's accumulation reads of
   * it): Σ_i o_i over the batch's rows, each row with its own seed.
   */
  Operand<TFloat32> batchObjective(Batch batch);

  /** Ops that add the batch's weighted contribution to the running estimate. */
  List<Op> accumulateBatch(BatchGradients batch);
}
