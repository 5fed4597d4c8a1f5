package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * How a {@link ConsolidationFromData} rule estimates from data at a task boundary, one example at a
 * time (EWC's Fisher information, MAS's output sensitivity, GPM's input correlation).
 *
 * <p>The training graph builds {@link #objective} on the model's logits for a single example,
 * differentiates it with respect to every governed parameter, and hands the gradients to {@link
 * #accumulate}. The graph runs those ops once for each example of a batch, in order, with weight
 * 1/n (the trainer feeds {@link #samples()} examples of the task's training set), then runs {@link
 * Consolidation#consolidate}, which folds the accumulated estimate into the rule's state and clears
 * it. Rules never see a batch's mean gradient: a squared or absolute value of a mean is not the
 * mean of squared or absolute per-example values.
 */
public interface ImportanceEstimator {
  /**
   * One example, as the objective sees it.
   *
   * @param tf where to build the ops
   * @param logits the model's logits for one example, shape [1, classes]
   * @param seed a fresh [2] seed for each example, for rules that sample (stateless random ops)
   */
  record Example(Ops tf, Operand<TFloat32> logits, Operand<TInt64> seed) {
    public Example {
      checkNotNull(tf, "tf");
      checkNotNull(logits, "logits");
      checkNotNull(seed, "seed");
    }
  }

  /**
   * One example's signal, as the accumulation sees it.
   *
   * @param tf where to build the ops
   * @param gradients ∂objective/∂θ for each governed parameter, in {@link
   *     ConsolidationRule#parameters()} order
   * @param weight the example's weight in the mean, 1/n for a batch of n
   */
  record ExampleGradients(Ops tf, List<Operand<TFloat32>> gradients, Operand<TFloat32> weight) {
    public ExampleGradients {
      checkNotNull(tf, "tf");
      gradients = List.copyOf(gradients);
      checkNotNull(weight, "weight");
    }
  }

  /** How many examples of the task's training set the trainer feeds at a task boundary. */
  int samples();

  /** A scalar of one example whose gradient with respect to each parameter is the signal. */
  Operand<TFloat32> objective(Example example);

  /** Ops that add one example's contribution to the running estimate. */
  List<Op> accumulate(ExampleGradients example);
}
