package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Reward-modulated Hebbian plasticity: Backpropamine's simple neuromodulated trace (Miconi, Rawal,
 * Clune &amp; Stanley, ICLR 2019) whose modulator is a dopamine-like reward-prediction error,
 * amplified by a noradrenaline-like gain after a surprise; registered as {@value #NAME}.
 *
 * <p>With x_t [B, inputs] the step's external input, pre [B, in] and post [B, out] the activity
 * before and after the connection (for a recurrent connection h_{t−1} and h_t):
 *
 * <ul>
 *   <li>output, Backpropamine eq. (1) before σ: pre·W + pre·(α ⊙ Hebb);
 *   <li>reward r_t = x_t[:, c], the input channel c that carries the task's reward or feedback;
 *   <li>value V_t = pre · w_V + b_V, a learned linear readout of the activity before the step (of
 *       h_{t−1}: what the network expected r_t to be), [B];
 *   <li>dopamine-like reward-prediction error δ_t = r_t − V_t ({@link
 *       Neuromodulation#rewardPredictionError});
 *   <li>noradrenaline-like gain g_t = clip(1 + κ|δ_t|, 1, g_max) ({@link Neuromodulation#gain} of
 *       {@link Neuromodulation#surprise}), κ = {@value #GAIN_SLOPE}, g_max = {@value #MAX_GAIN};
 *   <li>modulator M_t = g_t · δ_t ({@link Neuromodulation#gatedRate}: δ is the signed rate of the
 *       trace's step, and the gain raises it after a surprise);
 *   <li>trace, Backpropamine eq. (2): Hebb ← Clip(Hebb + M_t · pre ⊗ post) to [−{@value #CLIP},
 *       {@value #CLIP}] ({@link Neuromodulation#simpleUpdate}).
 * </ul>
 *
 * <p>So an expected reward leaves the trace almost still, and a surprising one writes the current
 * co-activity into it with a sign (better or worse than expected) and a size that grows with the
 * surprise. Where Backpropamine's modulator is any learned function of the new state, this one is
 * tied to the reward channel; w_V and b_V are learned by the outer loop through the task's loss,
 * like every other coefficient (there is no separate value loss, so V is the prediction that best
 * serves the task rather than a fitted estimate of r).
 *
 * <p>Learned: {@code dopamine/<parameter>/alpha} α [in, out] (uniform in [0, {@value #ALPHA_SCALE})
 * from {@link HebbianTraceRule}'s stream), {@code dopamine/<parameter>/value_kernel} w_V [in, 1]
 * and {@code dopamine/<parameter>/value_bias} b_V [1], both zero at the start (no expectation: δ =
 * r).
 *
 * <p>The rule reads the input, so it can be attached only where the input has a reward channel.
 */
public final class RewardModulatedHebbianRule implements FastWeightRule {
  /** The rule's name, the first segment of its coefficients' names. */
  public static final String NAME = "dopamine";

  /** Bound c of the trace, Backpropamine's 1. */
  public static final double CLIP = 1.0;

  /** Slope κ of the noradrenaline-like gain in the size of the prediction error. */
  public static final double GAIN_SLOPE = 1.0;

  /** Largest gain g_max. */
  public static final double MAX_GAIN = 2.0;

  /**
   * Upper bound of the uniform initial α, a tenth of {@link HebbianTraceRule#ALPHA_SCALE}. The
   * modulator is not scaled by a rate: at the start V = 0, so |M| = g|r| reaches 2 for a ±1 reward
   * and one step drives the trace to ±1. With α up to 0.1, as the Hebbian rules start, the plastic
   * input of 64 units then saturated the tanh cells and a network on 2-cue go/no-go stayed at
   * chance (accuracy 0.51 after 1000 steps, where the plain RNN reaches 0.96 in 100); from α below
   * 0.01 it learns the task as fast as the plain RNN.
   */
  public static final double ALPHA_SCALE = 0.01;

  /** The rule as {@link Rules} lists it. */
  public static final FastWeightRuleDescriptor DESCRIPTOR =
      new FastWeightRuleDescriptor(
          NAME,
          RewardModulatedHebbianRule::new,
          true,
          Map.of("trace_clip", CLIP, "gain_slope", GAIN_SLOPE, "max_gain", MAX_GAIN),
          Optional.empty(),
          new RuleSummary(
              "reward-modulated trace",
              "Backpropamine's trace driven by a reward-prediction error",
              "`trace`, `alpha`, `value_kernel`, `value_bias`"));

  private final Parameter slowWeight;
  private final int rewardChannel;
  private final Parameter alpha;
  private final Parameter valueKernel;
  private final Parameter valueBias;
  private final TraceProducts products;

  /**
   * Creates α, w_V and b_V for the connection of {@code at}, whose input must have a reward
   * channel.
   *
   * @throws IllegalArgumentException if it has none
   */
  public RewardModulatedHebbianRule(Attachment at) {
    this.slowWeight = at.slowWeight();
    this.products = at.products();
    checkArgument(
        at.rewardChannel().isPresent(),
        "fast-weight rule %s reads the reward from an input channel, but the input has no"
            + " reward channel (only tasks with reward or feedback, such as gonogo, have one)",
        NAME);
    this.rewardChannel = at.rewardChannel().getAsInt();
    int in = Math.toIntExact(slowWeight.shape().get(0));
    String prefix = at.prefix(NAME);
    Ops init = at.variables().root();
    this.alpha =
        InitialValue.scaledUniform(
                init, at.seed(), HebbianTraceRule.ALPHA_STREAM, slowWeight.shape(), ALPHA_SCALE)
            .createParameter(at.variables(), prefix + "alpha");
    this.valueKernel =
        InitialValue.zeros(init, Shape.of(in, 1))
            .createParameter(at.variables(), prefix + "value_kernel");
    this.valueBias =
        InitialValue.zeros(init, Shape.of(1))
            .createParameter(at.variables(), prefix + "value_bias");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Parameter slowWeight() {
    return slowWeight;
  }

  /** The input channel c the reward r_t is read from. */
  public int rewardChannel() {
    return rewardChannel;
  }

  /** α, w_V, b_V. */
  @Override
  public List<Parameter> coefficients() {
    return List.of(alpha, valueKernel, valueBias);
  }

  /** Eq. (1) before the nonlinearity: pre·W + pre·(α ⊙ Hebb). */
  @Override
  public Operand<TFloat32> effectiveOutput(Output o) {
    return HebbianPlasticity.effectiveOutput(
        o.tf(), o.pre(), o.w(), alpha.variable(), o.trace(), products);
  }

  /**
   * Hebb ← Clip(Hebb + g_t δ_t · pre ⊗ post), with δ_t = x_t[:, c] − (pre · w_V + b_V) and g_t =
   * clip(1 + κ|δ_t|, 1, g_max); the pre-activation is not used.
   *
   * @throws IllegalArgumentException if the input's static shape is not [B, n] with n &gt; c
   */
  @Override
  public Operand<TFloat32> nextTrace(Step s) {
    Ops tf = s.tf();
    Operand<TFloat32> input = s.input();
    Operand<TFloat32> pre = s.pre();
    Shape shape = input.shape();
    checkArgument(
        shape.isUnknown()
            || shape.numDimensions() == 2 && (shape.get(1) < 0 || shape.get(1) > rewardChannel),
        "rule %s reads reward channel %s, but the input has shape %s",
        NAME,
        rewardChannel,
        shape);
    Operand<TFloat32> reward = tf.gather(input, tf.constant(rewardChannel), tf.constant(1));
    Operand<TFloat32> value =
        tf.reshape(
            tf.nn.biasAdd(tf.linalg.matMul(pre, valueKernel.variable()), valueBias.variable()),
            tf.constant(new long[] {-1}));
    Operand<TFloat32> error = Neuromodulation.rewardPredictionError(tf, reward, value);
    Operand<TFloat32> gain =
        Neuromodulation.gain(
            tf, Neuromodulation.surprise(tf, error), (float) GAIN_SLOPE, (float) MAX_GAIN);
    Operand<TFloat32> modulator = Neuromodulation.gatedRate(tf, error, gain);
    return Neuromodulation.simpleUpdate(
        tf, s.trace(), pre, s.post(), modulator, (float) CLIP, products);
  }
}
