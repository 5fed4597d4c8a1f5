package dev.metaplastic.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Backpropamine's simple neuromodulated plasticity (Miconi, Rawal, Clune &amp; Stanley,
 * "Backpropamine: training self-modifying neural networks with differentiable neuromodulated
 * plasticity", ICLR 2019), registered as {@value #NAME}.
 *
 * <ul>
 *   <li>output, eq. (1) before σ: pre·W + pre·(α ⊙ Hebb);
 *   <li>modulator, one value per example read out of the postsynaptic activity: M = tanh(post ·
 *       w_mod + b_mod), [B];
 *   <li>trace, eq. (2): Hebb ← Clip(Hebb + M · pre ⊗ post) to [−{@value #CLIP}, {@value #CLIP}]
 *       ({@link Neuromodulation#simpleUpdate}).
 * </ul>
 *
 * <p>Learned: {@code neuromodulated/<parameter>/alpha} α [in, out] (initialised as {@link
 * HebbianTraceRule}'s), {@code neuromodulated/<parameter>/modulator_kernel} w_mod [out, 1]
 * (Glorot-uniform, stateless stream {@value #MODULATOR_STREAM}) and {@code
 * neuromodulated/<parameter>/modulator_bias} b_mod [1] (zero); under {@code neuromod/} in manifests
 * before format 5.
 */
public final class BackpropamineRule implements FastWeightRule {
  /** The rule's name, the first segment of its coefficients' names. */
  public static final String NAME = "neuromodulated";

  /** Bound c of the trace, the paper's 1. */
  public static final double CLIP = 1.0;

  /** Index of the stateless random stream w_mod is drawn from. */
  public static final int MODULATOR_STREAM = 4;

  /** The rule as {@link Rules} lists it. */
  public static final FastWeightRuleDescriptor DESCRIPTOR =
      new FastWeightRuleDescriptor(
          NAME,
          BackpropamineRule::new,
          false,
          Map.of("trace_clip", CLIP),
          Optional.of("neuromod"),
          new RuleSummary(
              "neuromodulated trace",
              "Miconi et al. 2019 (Backpropamine)",
              "`trace`, learned `alpha`, `modulator_kernel`, `modulator_bias`"));

  private final Parameter slowWeight;
  private final Parameter alpha;
  private final Parameter modulatorKernel;
  private final Parameter modulatorBias;
  private final TraceProducts products;

  /** Creates α, w_mod and b_mod for the connection of {@code at}. */
  public BackpropamineRule(Attachment at) {
    this.slowWeight = at.slowWeight();
    this.products = at.products();
    int out = Math.toIntExact(slowWeight.shape().get(1));
    String prefix = at.prefix(NAME);
    Ops init = at.variables().root();
    this.alpha =
        InitialValue.scaledUniform(
                init,
                at.seed(),
                HebbianTraceRule.ALPHA_STREAM,
                slowWeight.shape(),
                HebbianTraceRule.ALPHA_SCALE)
            .createParameter(at.variables(), prefix + "alpha");
    this.modulatorKernel =
        InitialValue.glorotUniform(init, at.seed(), MODULATOR_STREAM, out, 1)
            .createParameter(at.variables(), prefix + "modulator_kernel");
    this.modulatorBias =
        InitialValue.zeros(init, Shape.of(1))
            .createParameter(at.variables(), prefix + "modulator_bias");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Parameter slowWeight() {
    return slowWeight;
  }

  /** α, w_mod, b_mod. */
  @Override
  public List<Parameter> coefficients() {
    return List.of(alpha, modulatorKernel, modulatorBias);
  }

  /** Eq. (1) before the nonlinearity: pre·W + pre·(α ⊙ Hebb). */
  @Override
  public Operand<TFloat32> effectiveOutput(Output o) {
    return HebbianPlasticity.effectiveOutput(
        o.tf(), o.pre(), o.w(), alpha.variable(), o.trace(), products);
  }

  /**
   * Eq. (2) with M = tanh(post · w_mod + b_mod): Hebb ← Clip(Hebb + M · pre ⊗ post); the
   * pre-activation is not used.
   */
  @Override
  public Operand<TFloat32> nextTrace(Step s) {
    Ops tf = s.tf();
    Operand<TFloat32> post = s.post();
    Operand<TFloat32> modulator =
        tf.reshape(
            tf.math.tanh(
                tf.nn.biasAdd(
                    tf.linalg.matMul(post, modulatorKernel.variable()), modulatorBias.variable())),
            tf.constant(new long[] {-1}));
    return Neuromodulation.simpleUpdate(
        tf, s.trace(), s.pre(), post, modulator, (float) CLIP, products);
  }
}
