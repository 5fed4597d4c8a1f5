package dev.metaplastic.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A {@link FastWeightRule} whose fast weight is a decaying sum of outer products, read through a
 * fixed per-synapse coupling κ [in, out]. With F [B, in, out] zero at the start of an episode:
 *
 * <pre>
 *   output = pre·W + pre·(κ ⊙ F)
 *   F'     = F ⊙ d + pre ⊗ u          d: a scalar, or one value per example and postsynaptic unit
 * </pre>
 *
 * so that F_t = Σ_{s&lt;t} pre_s ⊗ ũ_s with ũ_s = u_s ⊙ Π_{s&lt;r&lt;t} d_r, and the plastic output
 * of step t is Σ_s ((pre_t ⊙ pre_s)·κ) ⊙ ũ_s: a cell can compute it from the past activities and
 * increments with matrix products, never forming the per-example [B, in, out] state. These are the
 * rule's own equations ({@link #effectiveOutput}, {@link #nextTrace}) in another form: the rule's
 * trace is {@link #trace}(F), and a test checks that both forms agree.
 */
public interface OuterProductTrace extends FastWeightRule {
  /**
   * One step's activity, as {@link #decay} and {@link #increment} see it.
   *
   * @param tf where to build the ops
   * @param pre presynaptic activity of this step, [B, in]
   * @param post postsynaptic activity after the nonlinearity, [B, out]
   * @param preActivation postsynaptic pre-activation z, [B, out]
   */
  record Activity(
      Ops tf, Operand<TFloat32> pre, Operand<TFloat32> post, Operand<TFloat32> preActivation) {}

  /** κ, [in, out]: the per-synapse factor between F and the connection's output. */
  Operand<TFloat32> coupling();

  /**
   * d of a step: how F decays, a scalar or [B, out] (one factor per postsynaptic unit, the same for
   * every presynaptic one).
   */
  Operand<TFloat32> decay(Activity activity);

  /** u of a step, [B, out]: F grows by pre ⊗ u. */
  Operand<TFloat32> increment(Activity activity);

  /** The rule's trace, as {@link #nextTrace} carries it, for a given F, [B, in, out]. */
  Operand<TFloat32> trace(Ops tf, Operand<TFloat32> f);
}
