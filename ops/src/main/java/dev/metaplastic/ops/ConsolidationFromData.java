package dev.metaplastic.ops;

/**
 * A rule whose task boundary starts from an estimate over examples of the task just learned (EWC's
 * Fisher, MAS's output sensitivity, GPM's input correlation): the trainer feeds {@link
 * ImportanceEstimator#samples()} examples through its {@link #estimator()}, a batch at a time where
 * the model's layers give per-example gradients in closed form and one at a time otherwise, then
 * runs {@link #consolidate}, which folds the estimate in.
 */
public interface ConsolidationFromData extends Consolidation {
  /** How the rule estimates from examples, one at a time or a batch at a time. */
  BatchEstimator estimator();
}
