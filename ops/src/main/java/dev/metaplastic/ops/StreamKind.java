package dev.metaplastic.ops;

/**
 * The kinds of task stream a rule's presets are tuned for ({@link RuleDescriptor#preset}): the same
 * rule needs other strengths when every task keeps its own classes than when every task relearns
 * the same classes from other inputs.
 */
public enum StreamKind {
  /**
   * Split streams: each task its own classes, with one head per task (task-incremental) or one
   * output for all (class-incremental); also generated streams.
   */
  SPLIT,
  /**
   * Permuted streams: every task the same classes from permuted inputs, with one shared head
   * (domain-incremental) or one head per task.
   */
  PERMUTED
}
