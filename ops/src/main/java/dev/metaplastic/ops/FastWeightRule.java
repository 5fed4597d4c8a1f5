package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.OptionalInt;
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
 * where x [B, inputs] is the step's external input; each hook takes one context record, and a rule
 * reads only the fields it needs (only a rule driven by a signal in the input, such as the reward
 * channel of {@link RewardModulatedHebbianRule}, reads x).
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>every learned coefficient is a trainable variable created when the rule is attached, named
 *       {@code <rule>/<parameter>/<state>} through {@link VariableRegistry}, with the rule's
 *       {@linkplain FastWeightRuleDescriptor#name() name} as first segment (for example {@code
 *       oja/rnn/recurrent_kernel/alpha}); {@link #coefficients()} lists them in creation order; the
 *       trace itself is episode state carried through operands, not a variable;
 *   <li>random initial values come from the stateless stream (seed, index) with a fixed index per
 *       coefficient, so the same seed gives the same coefficients in every graph; indices 0–2 are
 *       left to the cell's own kernels;
 *   <li>{@link #effectiveOutput} and {@link #nextTrace} are pure functions of operands, built with
 *       the {@code Ops} they are given, and use only ops with a gradient in TensorFlow's C++
 *       registry, so the outer loop backpropagates through an unrolled episode from Java.
 * </ul>
 *
 * <p>The equations live in the static classes {@link HebbianPlasticity}, {@link Neuromodulation}
 * and {@link GradientPlasticity}; a rule wires them to its coefficients. Each rule class holds a
 * {@link FastWeightRuleDescriptor}, listed in {@link Rules}.
 */
public interface FastWeightRule {
  /**
   * Where a rule is attached.
   *
   * @param variables creates the rule's learned coefficients
   * @param slowWeight the plastic connection's slow weight W, of static shape [in, out]
   * @param seed seed of the coefficients' stateless random initial values
   * @param rewardChannel the input channel that carries the task's reward, if it has one
   * @param products how the rule forms its products with a per-example trace it carries step by
   *     step
   */
  record Attachment(
      VariableRegistry variables,
      Parameter slowWeight,
      long seed,
      OptionalInt rewardChannel,
      TraceProducts products) {
    public Attachment {
      checkNotNull(variables, "variables");
      checkNotNull(slowWeight, "slow weight must not be null");
      checkArgument(
          slowWeight.shape().numDimensions() == 2
              && slowWeight.shape().get(0) > 0
              && slowWeight.shape().get(1) > 0,
          "a fast-weight rule needs a slow weight of static shape [in, out], got %s of shape %s",
          slowWeight.name(),
          slowWeight.shape());
      checkNotNull(rewardChannel, "reward channel must be an OptionalInt, got null");
      checkArgument(
          rewardChannel.isEmpty() || rewardChannel.getAsInt() >= 0,
          "reward channel must be an input index >= 0, got %s",
          rewardChannel.isEmpty() ? "none" : rewardChannel.getAsInt());
      checkNotNull(products, "trace products must be given, got null");
    }

    /**
     * An attachment whose rule forms its trace products as a new model does, {@link
     * TraceProducts#BATCHED}.
     */
    public Attachment(
        VariableRegistry variables, Parameter slowWeight, long seed, OptionalInt rewardChannel) {
      this(variables, slowWeight, seed, rewardChannel, TraceProducts.BATCHED);
    }

    /** {@code <rule>/<slow weight>/}: the prefix of the rule's coefficients. */
    public String prefix(String rule) {
      return rule + "/" + slowWeight.name() + "/";
    }
  }

  /**
   * What the output hook sees.
   *
   * @param tf where to build the ops
   * @param pre presynaptic activity, [B, in]
   * @param w the slow weight W (an operand of {@link #slowWeight()}), [in, out]
   * @param trace the fast-weight state of this step, [B, in, out]
   */
  record Output(Ops tf, Operand<TFloat32> pre, Operand<TFloat32> w, Operand<TFloat32> trace) {}

  /**
   * What the trace hook sees, one step of a cell.
   *
   * @param tf where to build the ops
   * @param input the step's external input x_t, [B, inputs]
   * @param pre presynaptic activity of this step, [B, in]
   * @param post postsynaptic activity after the nonlinearity, [B, out]
   * @param preActivation postsynaptic pre-activation z, whose plastic part is {@link
   *     #effectiveOutput}, [B, out]
   * @param trace the fast-weight state of this step, [B, in, out]
   */
  record Step(
      Ops tf,
      Operand<TFloat32> input,
      Operand<TFloat32> pre,
      Operand<TFloat32> post,
      Operand<TFloat32> preActivation,
      Operand<TFloat32> trace) {}

  /** The rule's name, the first segment of its coefficients' names, such as {@code oja}. */
  String name();

  /** The slow weight W [in, out] of the plastic connection the rule is attached to. */
  Parameter slowWeight();

  /** The learned per-synapse coefficients, trainable, in the order they were created. */
  List<Parameter> coefficients();

  /** The connection's output through its effective weight, [B, out]. */
  Operand<TFloat32> effectiveOutput(Output output);

  /** The fast-weight state of the next step, [B, in, out]. */
  Operand<TFloat32> nextTrace(Step step);

  /** A zero trace for an episode, [batch, in, out], where {@code batch} is a scalar int operand. */
  default Operand<TFloat32> initialTrace(Ops tf, Operand<TInt32> batch) {
    return HebbianPlasticity.initialTrace(
        tf, batch, slowWeight().shape().get(0), slowWeight().shape().get(1));
  }
}
