package dev.metaplastic.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A fast-weight plasticity rule attached to one plastic connection: how a per-example fast-weight
 * state (the "trace", [B, in, out], zero at the start of every episode) changes the connection's
 * output and how it moves within an episode. The slow weight W [in, out] is trained by the outer
 * loop; the rule's learned per-synapse coefficients (α, η, readouts) are trained with it.
 *
 * <p>For a connection with presynaptic activity pre [B, in], one step of a cell reads
 *
 * <pre>
 *   y         = {@link #effectiveOutput}(pre, W, trace)              the connection's output, [B, out]
 *   z         = y + (other inputs of the postsynaptic units)       pre-activation, [B, out]
 *   post      = σ(z)
 *   trace'    = {@link #nextTrace}(x, pre, post, z, trace)          the trace of the next step
 * </pre>
 *
 * where x [B, inputs] is the step's external input. Most rules do not read it: the input-free
 * {@link #nextTrace(Ops, Operand, Operand, Operand, Operand)} is their update, and the overload
 * with x delegates to it. A rule driven by a signal in the input (the reward channel of {@link
 * RewardModulatedHebbianRule}) overrides the overload with x.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>every learned coefficient is a trainable variable created when the rule is attached, named
 *       {@code <rule>/<parameter>/<state>} through {@link VariableRegistry} (for example {@code
 *       hebbian/rnn/recurrent_kernel/alpha}); {@link #coefficients()} lists them in creation order;
 *       the trace itself is episode state carried through operands, not a variable;
 *   <li>random initial values come from the stateless stream (seed, index) with a fixed index per
 *       coefficient, so the same seed gives the same coefficients in every graph; indices 0–2 are
 *       left to the cell's own kernels;
 *   <li>{@link #effectiveOutput} and {@link #nextTrace} are pure functions of operands, built with
 *       the {@code Ops} they are given, and use only ops with a gradient in TensorFlow's C++
 *       registry, so the outer loop backpropagates through an unrolled episode from Java.
 * </ul>
 *
 * <p>The equations live in the static classes {@link HebbianPlasticity}, {@link Neuromodulation}
 * and {@link GradientPlasticity}; a rule wires them to its coefficients. {@link FastWeightRules}
 * creates rules by name.
 */
public interface FastWeightRule {
  /** The rule's name in {@link FastWeightRules}, such as {@code oja}. */
  String name();

  /** The slow weight W [in, out] of the plastic connection the rule is attached to. */
  Parameter slowWeight();

  /** The learned per-synapse coefficients, trainable, in the order they were created. */
  List<Parameter> coefficients();

  /**
   * The connection's output through its effective weight, [B, out].
   *
   * @param pre presynaptic activity, [B, in]
   * @param w the slow weight W (an operand of {@link #slowWeight()}), [in, out]
   * @param trace the fast-weight state of this step, [B, in, out]
   */
  Operand<TFloat32> effectiveOutput(
      Ops tf, Operand<TFloat32> pre, Operand<TFloat32> w, Operand<TFloat32> trace);

  /**
   * The fast-weight state of the next step.
   *
   * @param pre presynaptic activity of this step, [B, in]
   * @param post postsynaptic activity after the nonlinearity, [B, out]
   * @param preActivation postsynaptic pre-activation z, whose plastic part is {@link
   *     #effectiveOutput}, [B, out]
   * @param trace the fast-weight state of this step, [B, in, out]
   * @return the fast-weight state of the next step, [B, in, out]
   */
  Operand<TFloat32> nextTrace(
      Ops tf,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> preActivation,
      Operand<TFloat32> trace);

  /**
   * The fast-weight state of the next step, for a rule that may read the step's external input;
   * cells call this form. By default it ignores {@code input} and returns {@link #nextTrace(Ops,
   * Operand, Operand, Operand, Operand)}, so rules that do not read the input build the same ops
   * either way.
   *
   * @param input the step's external input x_t, [B, inputs]
   * @param pre presynaptic activity of this step, [B, in]
   * @param post postsynaptic activity after the nonlinearity, [B, out]
   * @param preActivation postsynaptic pre-activation z, [B, out]
   * @param trace the fast-weight state of this step, [B, in, out]
   * @return the fast-weight state of the next step, [B, in, out]
   */
  default Operand<TFloat32> nextTrace(
      Ops tf,
      Operand<TFloat32> input,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> preActivation,
      Operand<TFloat32> trace) {
    return nextTrace(tf, pre, post, preActivation, trace);
  }

  /** A zero trace for an episode, [batch, in, out], where {@code batch} is a scalar int operand. */
  default Operand<TFloat32> initialTrace(Ops tf, Operand<TInt32> batch) {
    return HebbianPlasticity.initialTrace(
        tf, batch, slowWeight().shape().get(0), slowWeight().shape().get(1));
  }
}
