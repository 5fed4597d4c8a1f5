package dev.metaplastic.ops;

/**
 * A rule whose task boundary starts from an estimate over examples of the task just learned (EWC's
 * Fisher, MAS's output sensitivity, GPM's input correlation): the trainer feeds {@link
 * ImportanceEstimator#samples()} examples, which the graph takes one at a time through its {@link
 * #estimator()} (or a batch at a time, where the model's layers give per-example gradients in
 * closed form), then runs {@link #consolidate}, which folds the estimate in.
 */
public interface ConsolidationFromData extends Consolidation {
  /** How the rule estimates from examples, one at a time or a batch at a time. */
  BatchEstimator estimator();
}
