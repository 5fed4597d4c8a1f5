package dev.metaplastic.ops;

import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * One per-synapse state variable of a rule, such as the importance Ω of {@code dense_0/kernel}.
 *
 * @param parameter contract name of the governed parameter, such as {@code dense_0/kernel}
 * @param state the state's name in the paper's words, such as {@code importance}
 * @param variable the variable, named {@code <rule>/<parameter>/<state>}
 */
public record StateVariable(String parameter, String state, Variable<TFloat32> variable) {
  /** The variable's full name in the graph and in SavedModels. */
  public String name() {
    return variable.op().name();
  }
}
