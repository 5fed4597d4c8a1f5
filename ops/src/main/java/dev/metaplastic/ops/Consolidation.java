package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;

/**
 * A rule that does something at a task boundary: SI's importance update, moving an anchor. A rule
 * that first estimates something from the task's examples is a {@link ConsolidationFromData}.
 */
public interface Consolidation extends ConsolidationRule {
  /**
   * What the graph gives the boundary hook.
   *
   * @param tf where to build the ops: the rule's own scope
   */
  record Context(Ops tf) {
    public Context {
      checkNotNull(tf, "tf");
    }
  }

  /** Ops to run at a task boundary (after the estimate, for a {@link ConsolidationFromData}). */
  List<Op> consolidate(Context context);
}
