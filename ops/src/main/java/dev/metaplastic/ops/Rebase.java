package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;

/**
 * A rule that keeps bookkeeping of the current task which must restart when the parameters are
 * overwritten from outside training, such as weights imported from another model; what past tasks
 * consolidated stays.
 */
public interface Rebase extends ConsolidationRule {
  /**
   * What the graph gives the rebase hook.
   *
   * @param tf where to build the ops: the rule's own scope
   */
  record Context(Ops tf) {
    public Context {
      checkNotNull(tf, "tf");
    }
  }

  /** Ops that restart the rule's bookkeeping of the current task from the current parameters. */
  List<Op> rebase(Context context);
}
