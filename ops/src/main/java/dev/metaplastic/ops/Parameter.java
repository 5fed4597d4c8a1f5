package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A trainable parameter θ as rules see it: its contract name (such as {@code dense_0/kernel}), the
 * variable holding it, and the operand its variable was initialised from.
 *
 * <p>Rules that keep "θ at the start of the task" initialise that state from {@link
 * #initialValue()}, so the first task starts from the same θ the model starts from.
 *
 * @param name contract name, used to name rule state {@code <rule>/<name>/<state>}
 * @param variable the ref variable holding θ
 * @param initialValue the operand θ was initialised from (deterministic)
 * @param shape static shape of θ
 */
public record Parameter(
    String name, Variable<TFloat32> variable, Operand<TFloat32> initialValue, Shape shape) {
  public Parameter {
    checkNotNull(name, "name");
    checkNotNull(variable, "variable");
    checkNotNull(initialValue, "initialValue");
    checkNotNull(shape, "shape");
  }
}
