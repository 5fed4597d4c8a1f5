package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import dev.metaplastic.ops.Dopamine;
import dev.metaplastic.ops.HebbianPlasticity;
import dev.metaplastic.ops.HebbianTraceRule;
import dev.metaplastic.ops.InitialValue;
import dev.metaplastic.ops.Neuromodulators;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.TraceProducts;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A recurrent actor-critic that plays Go/No-Go inside the graph: each trial it sees a cue, acts,
 * and the environment's reward for that action comes back as the next trial's input, so what it
 * learns within an episode comes from its own actions' outcomes. Its input connection may carry a
 * fast-weight trace gated by the {@link Neuromodulators}.
 *
 * <p>Trial t of an episode (x_t = [c_t, a_{t−1}, r_{t−1}], with the cue c_t one-hot over K and
 * a_{−1} = r_{−1} = 0):
 *
 * <pre>
 *   h_t = tanh(x_t·W_in + x_t·(α ⊙ Hebb_t) + h_{t−1}·W_rec + b)         (no α ⊙ Hebb term if not plastic)
 *   [ℓ_withhold, ℓ_respond] = h_t·W_π + b_π                                policy logits
 *   ℓ'_respond = ℓ_respond − κ_5HT·s_{t−1} [5-HT]                            serotonin's inhibition
 *   a_t = 1 if u_t &lt; softmax(ℓ')_respond else 0                            u_t ~ U[0, 1), stateless
 *   r_t = the {@link RewardSchedule} of (a_t, cue type)
 *   V_t = h_t·w_V + b_V                                                   the critic: E[r_t | h_t]
 *   δ_t = r_t − V_t                                                       dopamine ({@link Dopamine})
 *   (f, u, s)_t, then Hebb_{t+1} from δ_t, x_t ⊗ h_t                      {@link Neuromodulators}
 * </pre>
 *
 * Each trial's reward is immediate and trials do not affect later cues, so the critic predicts r_t
 * itself (a contextual bandit; the temporal-difference error with no later state is δ_t). The
 * plastic connection is the input one, so a trace entry binds a cue to the hidden pattern that
 * produced the action, and dopamine signs it by the outcome: the three-factor rule of reward
 * learning. The outer loop does not differentiate through δ (it is a signal, not a path: the critic
 * learns from its own loss) nor through the sampled actions.
 *
 * <p>Variables (trainable, in {@link #parameters()}): {@code rnn/input_kernel} [K + 2, H], {@code
 * rnn/recurrent_kernel} [H, H], {@code rnn/bias} [H], {@code policy/kernel} [H, 2], {@code
 * policy/bias} [2], {@code value/kernel} [H, 1], {@code value/bias} [1] and, if plastic, {@code
 * gated_hebbian/rnn/input_kernel/alpha} α [K + 2, H] (uniform in [0, {@value
 * HebbianTraceRule#ALPHA_SCALE})) and {@code gated_hebbian/rnn/input_kernel/eta} η (a scalar, from
 * {@value HebbianTraceRule#INITIAL_ETA}). Kernels start Glorot-uniform from stateless streams of
 * the spec's seed, biases at zero. The trace and the modulators' state are per-episode operands.
 */
public final class GoNoGoAgent {
  /** The name of the gated fast-weight rule, the first segment of its variables. */
  public static final String RULE = "gated_hebbian";

  /** Contract name of the plastic input connection's slow weight. */
  public static final String INPUT_KERNEL = "rnn/input_kernel";

  /** Bound c of the trace, Backpropamine's 1. */
  public static final float CLIP = 1f;

  /** Index of the action "respond" among the policy's two logits (0 is "withhold"). */
  public static final int RESPOND = 1;

  private static final int POLICY_STREAM = 2;
  private static final int VALUE_STREAM = 6;

  private final GoNoGoAgentSpec spec;
  private final List<Parameter> parameters = new ArrayList<>();
  private final Parameter inputKernel;
  private final Parameter recurrentKernel;
  private final Parameter bias;
  private final Parameter policyKernel;
  private final Parameter policyBias;
  private final Parameter valueKernel;
  private final Parameter valueBias;
  private final Parameter alpha;
  private final Parameter eta;

  /**
   * An unrolled episode, every tensor [B, T] unless noted.
   *
   * @param states h_1 … h_T stacked, [B, T, H]
   * @param actions a_t, 1 respond and 0 withhold
   * @param rewards r_t
   * @param inhibition κ_5HT · s_{t−1}, subtracted from the respond logit (zeros without serotonin)
   * @param respondProbability softmax(ℓ')_respond, the probability a_t was drawn with
   * @param values V_t
   * @param dopamine δ_t
   * @param noradrenaline ν after trial t
   * @param acetylcholine u after trial t
   * @param serotonin s after trial t
   */
  public record Episode(
      Operand<TFloat32> states,
      Operand<TFloat32> actions,
      Operand<TFloat32> rewards,
      Operand<TFloat32> inhibition,
      Operand<TFloat32> respondProbability,
      Operand<TFloat32> values,
      Operand<TFloat32> dopamine,
      Operand<TFloat32> noradrenaline,
      Operand<TFloat32> acetylcholine,
      Operand<TFloat32> serotonin) {}

  /** The policy's logits [B, T, 2] (inhibition applied) and the values [B, T] of stacked states. */
  public record Readout(Operand<TFloat32> logits, Operand<TFloat32> values) {}

  /** Creates the agent's variables in {@code variables}. */
  public GoNoGoAgent(GoNoGoAgentSpec spec, VariableRegistry variables) {
    this.spec = checkNotNull(spec, "spec");
    int in = spec.inputSize();
    int h = spec.hidden();
    Ops init = variables.root();
    long seed = spec.seed();
    inputKernel = add(variables, INPUT_KERNEL, InitialValue.glorotUniform(init, seed, 0, in, h));
    recurrentKernel =
        add(variables, "rnn/recurrent_kernel", InitialValue.glorotUniform(init, seed, 1, h, h));
    bias = add(variables, "rnn/bias", InitialValue.zeros(init, Shape.of(h)));
    policyKernel =
        add(
            variables,
            "policy/kernel",
            InitialValue.glorotUniform(init, seed, POLICY_STREAM, h, 2));
    policyBias = add(variables, "policy/bias", InitialValue.zeros(init, Shape.of(2)));
    valueKernel =
        add(variables, "value/kernel", InitialValue.glorotUniform(init, seed, VALUE_STREAM, h, 1));
    valueBias = add(variables, "value/bias", InitialValue.zeros(init, Shape.of(1)));
    String prefix = RULE + "/" + INPUT_KERNEL + "/";
    alpha =
        spec.plastic()
            ? add(
                variables,
                prefix + "alpha",
                InitialValue.scaledUniform(
                    init,
                    seed,
                    HebbianTraceRule.ALPHA_STREAM,
                    Shape.of(in, h),
                    HebbianTraceRule.ALPHA_SCALE))
            : null;
    eta =
        spec.plastic()
            ? add(
                variables,
                prefix + "eta",
                InitialValue.filled(init, Shape.scalar(), HebbianTraceRule.INITIAL_ETA))
            : null;
  }

  /** The agent's architecture. */
  public GoNoGoAgentSpec spec() {
    return spec;
  }

  /** Every trainable parameter, in creation order. */
  public List<Parameter> parameters() {
    return ImmutableList.copyOf(parameters);
  }

  /**
   * Plays an episode.
   *
   * @param cues c_1 … c_T one-hot, [B, T, K]
   * @param outcomeGo 1 where trial t is rewarded as a Go cue, 0 as No-Go, [B, T]
   * @param noise u_t ~ U[0, 1), [B, T], which draws the actions
   */
  public Episode play(
      Ops tf, Operand<TFloat32> cues, Operand<TFloat32> outcomeGo, Operand<TFloat32> noise) {
    Operand<TInt32> batch = tf.shape.size(tf.shape(cues), tf.constant(0));
    Operand<TFloat32> zero = tf.zerosLike(tf.gather(outcomeGo, tf.constant(0), tf.constant(1)));
    Operand<TInt32> stateShape =
        tf.concat(
            List.of(
                tf.slice(tf.shape(cues), tf.constant(new int[] {0}), tf.constant(new int[] {1})),
                tf.constant(new int[] {spec.hidden()})),
            tf.constant(0));
    Operand<TFloat32> h = tf.zeros(stateShape, TFloat32.class);
    Operand<TFloat32> trace =
        spec.plastic()
            ? HebbianPlasticity.initialTrace(tf, batch, spec.inputSize(), spec.hidden())
            : null;
    Neuromodulators.Config modulators = spec.modulators();
    Neuromodulators.State state = Neuromodulators.initial(tf, zero);
    Operand<TFloat32> action = zero;
    Operand<TFloat32> reward = zero;
    List<Trial> trials = new ArrayList<>();
    for (int t = 0; t < spec.trials(); t++) {
      Operand<TFloat32> x =
          tf.concat(
              List.of(step(tf, cues, t), column(tf, action), column(tf, reward)), tf.constant(1));
      Operand<TFloat32> w = inputKernel.variable();
      // Elementwise products, with which the neuromod study's published results were computed.
      Operand<TFloat32> drive =
          trace == null
              ? tf.linalg.matMul(x, w)
              : HebbianPlasticity.effectiveOutput(
                  tf, x, w, alpha.variable(), trace, TraceProducts.ELEMENTWISE);
      h =
          tf.math.tanh(
              tf.nn.biasAdd(
                  tf.math.add(drive, tf.linalg.matMul(h, recurrentKernel.variable())),
                  bias.variable()));
      // Acting and the modulators read the readouts as signals: no gradient flows back through
      // them.
      Operand<TFloat32> logits = tf.stopGradient(linear(tf, h, policyKernel, policyBias));
      Operand<TFloat32> evidence =
          Neuromodulators.responseEvidence(tf, logitDifference(tf, logits), state, modulators);
      Operand<TFloat32> inhibition = tf.math.sub(logitDifference(tf, logits), evidence);
      Operand<TFloat32> respond = tf.math.sigmoid(evidence);
      action = tf.dtypes.cast(tf.math.less(step(tf, noise, t), respond), TFloat32.class);
      reward = spec.rewards().reward(tf, action, step(tf, outcomeGo, t));
      Operand<TFloat32> value =
          tf.stopGradient(
              tf.reshape(linear(tf, h, valueKernel, valueBias), tf.constant(new long[] {-1})));
      Operand<TFloat32> error = Dopamine.predictionError(tf, reward, value);
      state = Neuromodulators.next(tf, state, error, modulators);
      if (trace != null) {
        trace =
            Neuromodulators.traceUpdate(
                tf, trace, x, h, error, state, eta.variable(), modulators, CLIP);
      }
      trials.add(
          new Trial(
              h,
              action,
              reward,
              inhibition,
              respond,
              value,
              error,
              Neuromodulators.surprise(tf, state),
              state.expected(),
              state.aversive()));
    }
    return new Episode(
        stack(tf, trials, Trial::state),
        stack(tf, trials, Trial::action),
        stack(tf, trials, Trial::reward),
        stack(tf, trials, Trial::inhibition),
        stack(tf, trials, Trial::respondProbability),
        stack(tf, trials, Trial::value),
        stack(tf, trials, Trial::dopamine),
        stack(tf, trials, Trial::noradrenaline),
        stack(tf, trials, Trial::acetylcholine),
        stack(tf, trials, Trial::serotonin));
  }

  /**
   * The differentiable readout of stacked states: the policy's logits with serotonin's inhibition
   * subtracted from the respond logit, and the critic's values.
   *
   * @param states [B, T, H]
   * @param inhibition [B, T]
   */
  public Readout readout(Ops tf, Operand<TFloat32> states, Operand<TFloat32> inhibition) {
    Operand<TFloat32> flat = tf.reshape(states, tf.constant(new long[] {-1, spec.hidden()}));
    Operand<TFloat32> logits =
        tf.reshape(
            linear(tf, flat, policyKernel, policyBias),
            tf.constant(new long[] {-1, spec.trials(), 2}));
    Operand<TFloat32> inhibit =
        tf.math.mul(tf.expandDims(inhibition, tf.constant(-1)), tf.constant(new float[] {0f, 1f}));
    Operand<TFloat32> values =
        tf.reshape(
            linear(tf, flat, valueKernel, valueBias), tf.constant(new long[] {-1, spec.trials()}));
    return new Readout(tf.math.sub(logits, inhibit), values);
  }

  /** One trial's outputs, before stacking. */
  private record Trial(
      Operand<TFloat32> state,
      Operand<TFloat32> action,
      Operand<TFloat32> reward,
      Operand<TFloat32> inhibition,
      Operand<TFloat32> respondProbability,
      Operand<TFloat32> value,
      Operand<TFloat32> dopamine,
      Operand<TFloat32> noradrenaline,
      Operand<TFloat32> acetylcholine,
      Operand<TFloat32> serotonin) {}

  /** One field of every trial, stacked along axis 1. */
  private static Operand<TFloat32> stack(
      Ops tf, List<Trial> trials, Function<Trial, Operand<TFloat32>> field) {
    return tf.stack(trials.stream().map(field).toList(), Stack.axis(1L));
  }

  /** ℓ_respond − ℓ_withhold of logits [B, 2], [B]. */
  private static Operand<TFloat32> logitDifference(Ops tf, Operand<TFloat32> logits) {
    return tf.reshape(
        tf.linalg.matMul(logits, tf.constant(new float[][] {{-1f}, {1f}})),
        tf.constant(new long[] {-1}));
  }

  /** Trial t of a [B, T, …] tensor. */
  private static Operand<TFloat32> step(Ops tf, Operand<TFloat32> series, int t) {
    return tf.gather(series, tf.constant(t), tf.constant(1));
  }

  /** [B] as [B, 1]. */
  private static Operand<TFloat32> column(Ops tf, Operand<TFloat32> v) {
    return tf.reshape(v, tf.constant(new long[] {-1, 1}));
  }

  private static Operand<TFloat32> linear(
      Ops tf, Operand<TFloat32> x, Parameter kernel, Parameter bias) {
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernel.variable()), bias.variable());
  }

  private Parameter add(VariableRegistry variables, String name, InitialValue init) {
    Parameter parameter = init.createParameter(variables, name);
    parameters.add(parameter);
    return parameter;
  }
}
