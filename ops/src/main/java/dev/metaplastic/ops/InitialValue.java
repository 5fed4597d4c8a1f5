package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A deterministic initial value of a trainable variable and its static shape, and the few
 * initialisers plastic cells and fast-weight rules share.
 *
 * <p>Random values come from TensorFlow's stateless uniform op with the key (seed, stream): the
 * same (seed, stream) gives the same values in every graph and session, with no random state to
 * save. Build these with the registry's {@linkplain VariableRegistry#root() root} {@code Ops} (no
 * control dependencies), so that a new session can run every initialiser without feeds.
 *
 * @param value the operand the variable is initialised from
 * @param shape its static shape
 */
public record InitialValue(Operand<TFloat32> value, Shape shape) {
  public InitialValue {
    checkNotNull(value, "initial value must not be null");
    checkNotNull(shape, "shape must not be null");
  }

  /**
   * Creates the trainable variable {@code name} from this value and returns it as a {@link
   * Parameter} whose contract name is {@code name}.
   */
  public Parameter createParameter(VariableRegistry variables, String name) {
    Variable<TFloat32> variable = variables.create(name, value);
    return new Parameter(name, variable, value, shape);
  }

  /**
   * Glorot-uniform (Glorot &amp; Bengio 2010) values of shape [in, out]: U(−a, a) with a = √(6 /
   * (in + out)), computed as (2u − 1)·a from u ~ U[0, 1) of the stateless stream (seed, stream).
   */
  public static InitialValue glorotUniform(Ops init, long seed, int stream, int in, int out) {
    checkArgument(in > 0 && out > 0, "glorot shape must be positive, got [%s, %s]", in, out);
    Shape shape = Shape.of(in, out);
    float limit = (float) Math.sqrt(6.0 / (in + out));
    Operand<TFloat32> centred =
        init.math.sub(
            init.math.mul(uniform(init, seed, stream, shape), init.constant(2f)),
            init.constant(1f));
    return new InitialValue(init.math.mul(centred, init.constant(limit)), shape);
  }

  /**
   * Values uniform in [0, scale): u·scale with u ~ U[0, 1) of the stateless stream (seed, stream).
   */
  public static InitialValue scaledUniform(
      Ops init, long seed, int stream, Shape shape, double scale) {
    return new InitialValue(
        init.math.mul(uniform(init, seed, stream, shape), init.constant((float) scale)), shape);
  }

  /**
   * Zeros of {@code shape}, one Fill op. ({@code Ops.zeros} opens a sub-scope, and every new
   * sub-scope reads the name of every op in the graph: the cost of building a graph grew with the
   * square of its size.)
   */
  public static InitialValue zeros(Ops init, Shape shape) {
    return filled(init, shape, 0);
  }

  /** {@code value} (rounded to float) in every element of {@code shape}. */
  public static InitialValue filled(Ops init, Shape shape, double value) {
    return new InitialValue(init.fill(init.constant(shape), init.constant((float) value)), shape);
  }

  private static Operand<TFloat32> uniform(Ops init, long seed, int stream, Shape shape) {
    return init.random.statelessRandomUniform(
        init.constant(shape), init.constant(new long[] {seed, stream}));
  }
}
