package dev.metaplastic.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Gradient-based plasticity (Duan, Jia, Li, Zhong &amp; Ma, "Hebbian and gradient-based plasticity
 * enables robust memory and rapid learning in RNNs", ICLR 2023), registered as {@value #NAME}.
 *
 * <ul>
 *   <li>output: pre·(W + W_fast) ({@link GradientPlasticity#effectiveOutput});
 *   <li>self-set target for the pre-activation z, a learned linear readout of the new activity:
 *       target = post · W_tgt + b_tgt, and L_self = ½ ‖target − z‖²;
 *   <li>closed-form gradient, z being linear in W_fast with input pre: ∂L_self/∂W_fast = −pre ⊗
 *       (target − z) ({@link GradientPlasticity#selfLossGradient}), each example's gradient scaled
 *       to a Frobenius norm of at most {@value #MAX_GRADIENT_NORM} (the reference code's inner
 *       clip, {@link GradientPlasticity#normClipScale});
 *   <li>fast weight: W_fast ← (1 − λ) W_fast − η ⊙ ∂L_self/∂W_fast ({@link
 *       GradientPlasticity#update}), λ = {@value #DECAY}.
 * </ul>
 *
 * <p>Learned: {@code gradient/<parameter>/eta} η [in, out] (every synapse at {@value
 * #INITIAL_ETA}), {@code .../target_kernel} W_tgt [out, out] (Glorot-uniform, stateless stream
 * {@value #TARGET_STREAM}) and {@code .../target_bias} b_tgt [out] (zero). The outer loop
 * backpropagates through the closed-form update, target readout included. The coefficients are
 * under {@code gradient_plasticity/} in manifests before format 5. (Our choice of target: the
 * paper's reference code sets it through its own readout loss; a learned linear readout is the
 * simplest self-set target.)
 */
public final class GradientPlasticityRule implements FastWeightRule {
  /** The rule's name, the first segment of its coefficients' names. */
  public static final String NAME = "gradient";

  /** Initial value of every synapse's learned η. */
  public static final double INITIAL_ETA = 0.1;

  /** Decay λ of the fast weight. */
  public static final double DECAY = 0.05;

  /**
   * Largest Frobenius norm of one example's self-loss gradient before the fast-weight step. Without
   * it the inner step on the pre-activation is about η·‖pre‖², which exceeds 2, and diverges, once
   * a few dozen units are active.
   */
  public static final double MAX_GRADIENT_NORM = 1.0;

  /** Index of the stateless random stream W_tgt is drawn from. */
  public static final int TARGET_STREAM = 5;

  /** The rule as {@link Rules} lists it. */
  public static final FastWeightRuleDescriptor DESCRIPTOR =
      new FastWeightRuleDescriptor(
          NAME,
          GradientPlasticityRule::new,
          false,
          Map.of("decay", DECAY, "gradient_clip", MAX_GRADIENT_NORM),
          Optional.of("gradient_plasticity"),
          new RuleSummary(
              "gradient-based plasticity",
              "Duan et al. 2023",
              "`fast_weight`, learned `eta`, `target_kernel`, `target_bias`"));

  private final Parameter slowWeight;
  private final Parameter eta;
  private final Parameter targetKernel;
  private final Parameter targetBias;

  /** Creates η, W_tgt and b_tgt for the connection of {@code at}. */
  public GradientPlasticityRule(Attachment at) {
    this.slowWeight = at.slowWeight();
    int out = Math.toIntExact(slowWeight.shape().get(1));
    String prefix = at.prefix(NAME);
    Ops init = at.variables().root();
    this.eta =
        InitialValue.filled(init, slowWeight.shape(), INITIAL_ETA)
            .createParameter(at.variables(), prefix + "eta");
    this.targetKernel =
        InitialValue.glorotUniform(init, at.seed(), TARGET_STREAM, out, out)
            .createParameter(at.variables(), prefix + "target_kernel");
    this.targetBias =
        InitialValue.zeros(init, Shape.of(out))
            .createParameter(at.variables(), prefix + "target_bias");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Parameter slowWeight() {
    return slowWeight;
  }

  /** η, W_tgt, b_tgt. */
  @Override
  public List<Parameter> coefficients() {
    return List.of(eta, targetKernel, targetBias);
  }

  /** pre·W + pre·W_fast. */
  @Override
  public Operand<TFloat32> effectiveOutput(Output o) {
    return GradientPlasticity.effectiveOutput(o.tf(), o.pre(), o.w(), o.trace());
  }

  /**
   * W_fast ← (1 − λ) W_fast − η ⊙ clip(∂L_self/∂W_fast), with ∂L_self/∂W_fast = −pre ⊗ (target − z)
   * and target = post · W_tgt + b_tgt.
   */
  @Override
  public Operand<TFloat32> nextTrace(Step s) {
    Ops tf = s.tf();
    Operand<TFloat32> target =
        tf.nn.biasAdd(tf.linalg.matMul(s.post(), targetKernel.variable()), targetBias.variable());
    Operand<TFloat32> gradient =
        GradientPlasticity.selfLossGradient(tf, s.pre(), s.preActivation(), target);
    Operand<TFloat32> clip =
        GradientPlasticity.normClipScale(tf, gradient, (float) MAX_GRADIENT_NORM);
    Operand<TFloat32> clipped = tf.math.mul(gradient, Neuromodulation.perExample(tf, clip));
    return GradientPlasticity.update(
        tf, s.trace(), clipped, eta.variable(), tf.constant((float) DECAY));
  }
}
