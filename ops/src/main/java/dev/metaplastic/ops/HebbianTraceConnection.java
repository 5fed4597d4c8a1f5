package dev.metaplastic.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What the plain and Oja Hebbian rules share (Miconi, Clune &amp; Stanley 2018): the learned α [in,
 * out] and scalar η, named {@code <rule>/<parameter>/alpha} and {@code .../eta}, and the output of
 * eq. (1), pre·W + pre·(α ⊙ Hebb). Subclasses give the trace update.
 */
abstract sealed class HebbianTraceConnection implements OuterProductTrace
    permits HebbianTraceRule, OjaTraceRule {
  private final Parameter slowWeight;
  final Parameter alpha;
  final Parameter eta;
  private final TraceProducts products;

  HebbianTraceConnection(String rule, Attachment at) {
    this.slowWeight = at.slowWeight();
    this.products = at.products();
    String prefix = at.prefix(rule);
    Ops init = at.variables().root();
    this.alpha =
        InitialValue.scaledUniform(
                init,
                at.seed(),
                HebbianTraceRule.ALPHA_STREAM,
                slowWeight.shape(),
                HebbianTraceRule.ALPHA_SCALE)
            .createParameter(at.variables(), prefix + "alpha");
    this.eta =
        InitialValue.filled(init, Shape.scalar(), HebbianTraceRule.INITIAL_ETA)
            .createParameter(at.variables(), prefix + "eta");
  }

  @Override
  public final Parameter slowWeight() {
    return slowWeight;
  }

  /** α, then η. */
  @Override
  public final List<Parameter> coefficients() {
    return List.of(alpha, eta);
  }

  /** κ = α: the trace is read through the plasticity coefficients. */
  @Override
  public final Operand<TFloat32> coupling() {
    return alpha.variable();
  }

  /** Both traces grow by pre ⊗ η·post. */
  @Override
  public final Operand<TFloat32> increment(Activity a) {
    return a.tf().math.mul(eta.variable(), a.post());
  }

  /** The trace is F itself. */
  @Override
  public final Operand<TFloat32> trace(Ops tf, Operand<TFloat32> f) {
    return f;
  }

  /** Eq. (1) before the nonlinearity: pre·W + pre·(α ⊙ Hebb) ({@link HebbianPlasticity}). */
  @Override
  public final Operand<TFloat32> effectiveOutput(Output o) {
    return HebbianPlasticity.effectiveOutput(
        o.tf(), o.pre(), o.w(), alpha.variable(), o.trace(), products);
  }
}
