package dev.metaplastic.ops;

import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A rule that keeps state files written by an earlier version lack, and derives it from the state
 * those files hold (such as GPM's basis, from its projection). A loader restores what a file holds
 * and the derived values of the rest.
 */
public interface DerivedState extends ConsolidationRule {
  /**
   * The values of the state variables an earlier file may lack, by variable name, built with {@code
   * tf} (a graph of their own) from the stored values of the rule's other state.
   *
   * @param stored reads a stored variable's value by its name
   */
  Map<String, Operand<TFloat32>> derive(Ops tf, Function<String, Operand<TFloat32>> stored);
}
