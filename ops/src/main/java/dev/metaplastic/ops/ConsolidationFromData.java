package dev.metaplastic.ops;

/**
 * A rule whose task boundary starts from an estimate over examples of the task just learned (EWC's
 * Fisher, MAS's output sensitivity, GPM's input correlation): the trainer feeds {@link
 * ImportanceEstimator#samples()} examples, which the graph takes one at a time through its {@link
 * #estimator()}, then runs {@link #consolidate}, which folds the estimate in.
 */
public interface ConsolidationFromData extends Consolidation {
  /** How the rule estimates from examples. */
  ImportanceEstimator estimator();
}
