package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import dev.metaplastic.ops.BackpropamineRule;
import dev.metaplastic.ops.FastWeightRule;
import dev.metaplastic.ops.GradientPlasticityRule;
import dev.metaplastic.ops.HebbianTraceRule;
import dev.metaplastic.ops.InitialValue;
import dev.metaplastic.ops.OjaTraceRule;
import dev.metaplastic.ops.OuterProductTrace;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.RewardModulatedHebbianRule;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A recurrent layer whose recurrent weights are plastic within an episode, statically unrolled over
 * {@link PlasticRnnSpec#steps()} time steps, with a linear readout at every step.
 *
 * <p>With x_t [B, in] the input of step t, h_{t−1} [B, H] the previous state and F_{t−1} [B, H, H]
 * the per-example fast-weight state (the "trace"), one step is
 *
 * <pre>
 *   z_t = x_t · W_in + h_{t−1} · R_{t−1} + b          pre-activation, [B, H]
 *   h_t = tanh(z_t)
 *   y_t = h_t · W_out + b_out                         logits, [B, outputSize]
 * </pre>
 *
 * where the effective recurrent weight R_{t−1} and the trace update depend on the plasticity:
 *
 * <ul>
 *   <li>{@link Plasticity#NONE}: R = W; no trace.
 *   <li>{@code hebbian} (Miconi et al. 2018, {@link HebbianTraceRule}): R = W + α ⊙ Hebb, Hebb ← (1
 *       − η) Hebb + η h_{t−1} ⊗ h_t, α [H, H] and the scalar η learned.
 *   <li>{@code oja} ({@link OjaTraceRule}): as {@code hebbian} with Oja's update, Hebb ← Hebb + η
 *       h_t ⊙ (h_{t−1} − h_t ⊙ Hebb).
 *   <li>{@code neuromodulated} (Backpropamine, simple form, {@link BackpropamineRule}): R = W + α ⊙
 *       Hebb, M_t = tanh(h_t · w_mod + b_mod) one value per example, Hebb ← clip(Hebb + M_t h_{t−1}
 *       ⊗ h_t, ±1); α, w_mod [H, 1] and b_mod [1] learned.
 *   <li>{@code gradient} (Duan et al. 2023, {@link GradientPlasticityRule}): R = W + W_fast. The
 *       network sets its own target for the recurrent pre-activation, a learned linear readout of
 *       the new state, target_t = h_t · W_tgt + b_tgt, and W_fast descends L_self = ½ ‖target_t −
 *       z_t‖². Since z_t is linear in W_fast with input h_{t−1}, the gradient is exact in closed
 *       form, ∂L_self/∂W_fast = −h_{t−1} ⊗ (target_t − z_t), clipped per example to a norm of at
 *       most {@value #GRADIENT_CLIP}, and W_fast ← (1 − λ) W_fast − η ⊙ ∂L_self/∂W_fast with the
 *       learned per-synapse η [H, H] and the fixed decay λ = {@value #GRADIENT_DECAY}. The outer
 *       loop backpropagates through this closed-form update, target readout included, so W_tgt,
 *       b_tgt and η are learned.
 *   <li>{@code dopamine} ({@link RewardModulatedHebbianRule}): R = W + α ⊙ Hebb, and Hebb ←
 *       clip(Hebb + g_t δ_t h_{t−1} ⊗ h_t, ±1), with the dopamine-like reward-prediction error δ_t
 *       = r_t − V_t, where r_t = x_t[:, c] is the spec's {@linkplain PlasticRnnSpec#rewardChannel
 *       reward channel} c and V_t = h_{t−1} · w_V + b_V a learned value readout of the previous
 *       state, and the noradrenaline-like gain g_t = clip(1 + κ|δ_t|, 1, g_max), κ = {@value
 *       RewardModulatedHebbianRule#GAIN_SLOPE}, g_max = {@value
 *       RewardModulatedHebbianRule#MAX_GAIN}; α, w_V [H, 1] and b_V [1] learned.
 * </ul>
 *
 * <p>Each plastic kind is the {@link FastWeightRule} of {@link Rules} named as the plasticity,
 * attached to {@value #RECURRENT_KERNEL} with the spec's seed ({@link #fastWeightRule()}); the cell
 * itself only wires it: R_{t−1} h_{t−1} is the rule's {@link FastWeightRule#effectiveOutput}, and
 * the trace's next value its {@link FastWeightRule#nextTrace} of (x_t, h_{t−1}, h_t, z_t, trace)
 * (only the {@code dopamine} rule reads x_t).
 *
 * <p>The trace starts at zero each episode unless the caller passes one, so that a serving
 * signature can run an episode one step at a time ({@link #step}) and carry h and the trace between
 * calls; the unrolled {@link #forward} chains the very same recurrent update and reads out every
 * step at once, from the stacked states. (With one readout per step, TensorFlow's gradient builder
 * sums the readout weights' T gradient terms in an order that follows memory addresses, so the same
 * training run gave different bits in different graphs and processes.)
 *
 * <p>Variables (all trainable, all in {@link #parameters()}): {@code rnn/input_kernel} [in, H],
 * {@code rnn/recurrent_kernel} [H, H], {@code rnn/bias} [H], {@code rnn/output_kernel} [H, out],
 * {@code rnn/output_bias} [out], and the plasticity's learned coefficients named {@code
 * <rule>/rnn/recurrent_kernel/<state>} as the SavedModel contract in docs/architecture.md asks:
 * {@code hebbian/rnn/recurrent_kernel/alpha} and {@code .../eta} ({@code hebbian}; {@code oja/...}
 * for {@code oja}); {@code neuromodulated/rnn/recurrent_kernel/alpha}, {@code
 * .../modulator_kernel}, {@code .../modulator_bias}; {@code gradient/rnn/recurrent_kernel/eta},
 * {@code .../target_kernel}, {@code .../target_bias}; {@code dopamine/rnn/recurrent_kernel/alpha},
 * {@code .../value_kernel}, {@code .../value_bias}. The trace itself is episode state carried
 * through operands, not a variable.
 *
 * <p>Kernels start from Glorot-uniform values of a stateless random op seeded from the spec, biases
 * at zero, α uniform in [0, {@value #ALPHA_SCALE}) (DOPAMINE's in [0, {@value
 * RewardModulatedHebbianRule#ALPHA_SCALE}), w_V and b_V at zero), the Hebbian η at {@value
 * #INITIAL_ETA} and the gradient rule's η at {@value #INITIAL_ETA} on every synapse.
 *
 * <p>Only ops with a gradient in TensorFlow's C++ registry lie between the parameters and the
 * logits (products, batched matrix products, sums, broadcasts, tanh, min/max, pack, concat), so
 * {@code tf.gradients} works through the unrolled episode from Java.
 */
public final class PlasticRnn {
  /** Contract name of the plastic recurrent connection's slow weight. */
  public static final String RECURRENT_KERNEL = "rnn/recurrent_kernel";

  /** Upper bound of the uniform initial α ({@link HebbianTraceRule#ALPHA_SCALE}). */
  public static final double ALPHA_SCALE = HebbianTraceRule.ALPHA_SCALE;

  /**
   * Initial value of the learned rates η (the Hebbian scalar, every synapse of the gradient η;
   * {@link HebbianTraceRule#INITIAL_ETA}, {@link GradientPlasticityRule#INITIAL_ETA}).
   */
  public static final double INITIAL_ETA = HebbianTraceRule.INITIAL_ETA;

  /** Decay λ of the gradient rule's fast weight ({@link GradientPlasticityRule#DECAY}). */
  public static final double GRADIENT_DECAY = GradientPlasticityRule.DECAY;

  /**
   * Largest Frobenius norm of one example's self-loss gradient before the fast-weight step (the
   * reference code's inner gradient clip, {@link GradientPlasticityRule#MAX_GRADIENT_NORM}).
   * Without it the inner step on the pre-activation is about η·‖h‖², which exceeds 2 — and diverges
   * — once a few dozen units are active.
   */
  public static final double GRADIENT_CLIP = GradientPlasticityRule.MAX_GRADIENT_NORM;

  /** Bound c of the neuromodulated trace, Backpropamine's 1 ({@link BackpropamineRule#CLIP}). */
  public static final double NEUROMOD_CLIP = BackpropamineRule.CLIP;

  private final PlasticRnnSpec spec;
  private final List<Parameter> parameters = new ArrayList<>();
  private final Parameter inputKernel;
  private final Parameter recurrentKernel;
  private final Parameter bias;
  private final Parameter outputKernel;
  private final Parameter outputBias;
  // The recurrent connection's fast-weight rule; null for Plasticity.NONE.
  private final FastWeightRule rule;

  /**
   * One step of the cell.
   *
   * @param logits y_t, [B, outputSize]
   * @param state h_t, [B, H]
   * @param trace the fast-weight state after the step, [B, H, H]; null for {@link Plasticity#NONE}
   */
  public record Step(Operand<TFloat32> logits, Operand<TFloat32> state, Operand<TFloat32> trace) {}

  /**
   * An unrolled episode.
   *
   * @param logits the logits of every step, [B, T, outputSize], from one readout of the stacked
   *     states
   * @param states h_1 … h_T, each [B, H]
   * @param finalState h_T, [B, H]
   * @param finalTrace the trace after step T, [B, H, H]; null for {@link Plasticity#NONE}
   */
  public record Episode(
      Operand<TFloat32> logits,
      List<Operand<TFloat32>> states,
      Operand<TFloat32> finalState,
      Operand<TFloat32> finalTrace) {
    public Episode {
      states = List.copyOf(states);
    }
  }

  /** Creates the cell's variables in {@code variables}. */
  public PlasticRnn(PlasticRnnSpec spec, VariableRegistry variables) {
    this.spec = checkNotNull(spec, "spec");
    int in = spec.inputSize();
    int h = spec.hidden();
    int out = spec.outputSize();
    Ops init = variables.root();
    long seed = spec.seed();
    inputKernel =
        add(variables, "rnn/input_kernel", InitialValue.glorotUniform(init, seed, 0, in, h));
    recurrentKernel =
        add(variables, RECURRENT_KERNEL, InitialValue.glorotUniform(init, seed, 1, h, h));
    bias = add(variables, "rnn/bias", InitialValue.zeros(init, Shape.of(h)));
    outputKernel =
        add(variables, "rnn/output_kernel", InitialValue.glorotUniform(init, seed, 2, h, out));
    outputBias = add(variables, "rnn/output_bias", InitialValue.zeros(init, Shape.of(out)));
    rule =
        spec.plasticity()
            .rule()
            .map(
                d ->
                    d.attach(
                        new FastWeightRule.Attachment(
                            variables,
                            recurrentKernel,
                            seed,
                            spec.rewardChannel(),
                            spec.traceProducts())))
            .orElse(null);
    if (rule != null) {
      parameters.addAll(rule.coefficients());
    }
  }

  /** The recurrent connection's fast-weight rule; empty for {@link Plasticity#NONE}. */
  public Optional<FastWeightRule> fastWeightRule() {
    return Optional.ofNullable(rule);
  }

  /** The cell's architecture. */
  public PlasticRnnSpec spec() {
    return spec;
  }

  /**
   * Every trainable parameter: the five weights of the layer ({@code rnn/...}), then the
   * plasticity's learned coefficients.
   */
  public List<Parameter> parameters() {
    return ImmutableList.copyOf(parameters);
  }

  /**
   * One time step: (x_t, h_{t−1}, trace_{t−1}) → (y_t, h_t, trace_t), with the equations of the
   * class Javadoc.
   *
   * @param tf where to build the ops
   * @param x x_t, [B, inputSize]
   * @param state h_{t−1}, [B, H]
   * @param trace the fast-weight state [B, H, H]; must be null for {@link Plasticity#NONE} and
   *     non-null otherwise (see {@link #initialTrace})
   */
  public Step step(Ops tf, Operand<TFloat32> x, Operand<TFloat32> state, Operand<TFloat32> trace) {
    Transition next = advance(tf, x, state, trace);
    return new Step(readout(tf, next.state()), next.state(), next.trace());
  }

  /** (h_t, trace_t) of a step. */
  private record Transition(Operand<TFloat32> state, Operand<TFloat32> trace) {}

  /** The recurrent part of {@link #step}: (x_t, h_{t−1}, trace_{t−1}) → (h_t, trace_t). */
  private Transition advance(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> state, Operand<TFloat32> trace) {
    checkNotNull(x, "input x_t must not be null");
    checkNotNull(state, "state h_{t-1} must not be null");
    checkArgument(
        (trace == null) == !spec.carriesTrace(),
        "plasticity %s %s a trace, got %s",
        spec.plasticity(),
        spec.carriesTrace() ? "needs" : "takes no",
        trace == null ? "none" : "one");
    Operand<TFloat32> w = recurrentKernel.variable();
    Operand<TFloat32> recurrent =
        rule == null
            ? tf.linalg.matMul(state, w)
            : rule.effectiveOutput(new FastWeightRule.Output(tf, state, w, trace));
    Operand<TFloat32> z =
        tf.nn.biasAdd(
            tf.math.add(tf.linalg.matMul(x, inputKernel.variable()), recurrent), bias.variable());
    Operand<TFloat32> h = tf.math.tanh(z);
    Operand<TFloat32> next =
        rule == null ? null : rule.nextTrace(new FastWeightRule.Step(tf, x, state, h, z, trace));
    return new Transition(h, next);
  }

  /** The readout y = h · W_out + b_out of states h [N, H]: logits [N, outputSize]. */
  private Operand<TFloat32> readout(Ops tf, Operand<TFloat32> h) {
    return tf.nn.biasAdd(tf.linalg.matMul(h, outputKernel.variable()), outputBias.variable());
  }

  /**
   * The unrolled episode: the recurrent part of {@link #step} chained over the T steps of the spec,
   * then one readout of the stacked states.
   *
   * @param tf where to build the ops
   * @param inputs x_1 … x_T, [B, T, inputSize]
   * @param initialState h_0 [B, H], or null for zeros
   * @param initialTrace the trace at the start [B, H, H], or null for zeros (and must be null for
   *     {@link Plasticity#NONE})
   */
  public Episode forward(
      Ops tf,
      Operand<TFloat32> inputs,
      Operand<TFloat32> initialState,
      Operand<TFloat32> initialTrace) {
    checkNotNull(inputs, "inputs [B, T, inputSize] must not be null");
    checkArgument(
        spec.carriesTrace() || initialTrace == null,
        "plasticity NONE carries no trace, but an initial trace was given");
    Operand<TInt32> batch = tf.shape.size(tf.shape(inputs), tf.constant(0));
    Operand<TFloat32> h = initialState != null ? initialState : initialState(tf, batch);
    if (rule instanceof OuterProductTrace factored
        && initialTrace == null
        && spec.blockSteps() > 0) {
      return factoredForward(tf, inputs, h, factored);
    }
    Operand<TFloat32> trace =
        initialTrace != null || !spec.carriesTrace() ? initialTrace : initialTrace(tf, batch);
    List<Operand<TFloat32>> states = new ArrayList<>();
    for (int t = 0; t < spec.steps(); t++) {
      Operand<TFloat32> x = tf.gather(inputs, tf.constant(t), tf.constant(1));
      Transition next = advance(tf, x, h, trace);
      states.add(next.state());
      h = next.state();
      trace = next.trace();
    }
    return new Episode(readoutAll(tf, states), states, h, trace);
  }

  /** One readout of the stacked states h_1 … h_T: logits [B, T, outputSize]. */
  private Operand<TFloat32> readoutAll(Ops tf, List<Operand<TFloat32>> states) {
    Operand<TFloat32> stacked = tf.stack(states, Stack.axis(1L));
    Operand<TFloat32> flat = tf.reshape(stacked, tf.constant(new long[] {-1, spec.hidden()}));
    return tf.reshape(
        readout(tf, flat), tf.constant(new long[] {-1, spec.steps(), spec.outputSize()}));
  }

  /**
   * The unrolled episode from a zero trace for a rule whose trace is a decaying sum of outer
   * products ({@link OuterProductTrace}: F' = F ⊙ d + pre ⊗ u, read as pre·(κ ⊙ F)), computed
   * without the per-example [B, H, H] trace of every step, which made a plastic step cost 10–45
   * plain ones (time went to elementwise passes over [B, H, H] and their gradients). The steps go
   * in blocks of {@link PlasticRnnSpec#blockSteps}. Within a block, step t's plastic output is Σ_s
   * ((h_{t−1} ⊙ pre_s)·κ) ⊙ ũ_s over the block's earlier steps s, one matrix product with κ; the
   * trace F₀ left by earlier blocks adds h_{t−1}·(κ ⊙ F₀) ⊙ D, one batched vector-matrix product, D
   * the decay since the block began. At a block's end F₀ ← F₀ ⊙ D + Σ_s pre_s ⊗ ũ_s, one batched
   * product. Blocks bound the work of a step: the within-block sum grows with the block, not with
   * the episode. The equations are the rule's; only the order of the float operations differs from
   * {@link #advance}.
   */
  private Episode factoredForward(
      Ops tf, Operand<TFloat32> inputs, Operand<TFloat32> h, OuterProductTrace factored) {
    int hidden = spec.hidden();
    Operand<TInt32> one = tf.constant(1);
    Operand<TInt64> rows = tf.constant(new long[] {-1, hidden});
    Operand<TFloat32> coupling = factored.coupling();
    Operand<TFloat32> w = recurrentKernel.variable();
    List<Operand<TFloat32>> states = new ArrayList<>();
    Operand<TFloat32> base = null; // F₀ of this block
    Operand<TFloat32> coupledBase = null; // κ ⊙ F₀
    Block block = new Block();
    for (int t = 0; t < spec.steps(); t++) {
      Operand<TFloat32> x = tf.gather(inputs, tf.constant(t), tf.constant(1));
      Operand<TFloat32> recurrent = tf.linalg.matMul(h, w);
      if (coupledBase != null) {
        Operand<TFloat32> fromBase =
            tf.reshape(
                tf.train.batchMatMul(tf.expandDims(h, one), coupledBase, TFloat32.class), rows);
        recurrent =
            tf.math.add(
                recurrent, block.decay == null ? fromBase : tf.math.mul(fromBase, block.decay));
      }
      if (!block.pre.isEmpty()) {
        int k = block.pre.size();
        Operand<TFloat32> pairs =
            tf.reshape(tf.math.mul(tf.expandDims(h, one), block.pre(tf)), rows);
        Operand<TFloat32> read =
            tf.reshape(tf.linalg.matMul(pairs, coupling), tf.constant(new long[] {-1, k, hidden}));
        recurrent = tf.math.add(recurrent, tf.reduceSum(tf.math.mul(read, block.increments), one));
      }
      Operand<TFloat32> z =
          tf.nn.biasAdd(
              tf.math.add(tf.linalg.matMul(x, inputKernel.variable()), recurrent), bias.variable());
      Operand<TFloat32> next = tf.math.tanh(z);
      OuterProductTrace.Activity activity = new OuterProductTrace.Activity(tf, h, next, z);
      block.add(tf, h, factored.increment(activity), factored.decay(activity));
      states.add(next);
      h = next;
      if (block.pre.size() == spec.blockSteps() || t == spec.steps() - 1) {
        base = block.fold(tf, base);
        coupledBase = tf.math.mul(coupling, base);
        block = new Block();
      }
    }
    return new Episode(readoutAll(tf, states), states, h, factored.trace(tf, base));
  }

  /** The steps of the current block: their presynaptic activities and decayed increments. */
  private static final class Block {
    final List<Operand<TFloat32>> pre = new ArrayList<>();
    Operand<TFloat32> increments; // [B, k, H]: ũ_s, decayed to the current step
    Operand<TFloat32> decay; // D since the block began: a scalar or [B, H]; null at its start

    /** pre_s stacked, [B, k, H]. */
    Operand<TFloat32> pre(Ops tf) {
      return tf.stack(pre, Stack.axis(1L));
    }

    /** Records step s: ũ ← ũ ⊙ d, then ũ_s = u; D ← D ⊙ d. */
    void add(Ops tf, Operand<TFloat32> presynaptic, Operand<TFloat32> u, Operand<TFloat32> d) {
      Operand<TInt32> axis = tf.constant(1);
      Operand<TFloat32> row = tf.expandDims(u, axis);
      if (increments == null) {
        increments = row;
      } else {
        Operand<TFloat32> perRow = perUnit(d) ? tf.expandDims(d, axis) : d;
        increments = tf.concat(List.of(tf.math.mul(increments, perRow), row), axis);
      }
      decay = decay == null ? d : tf.math.mul(decay, d);
      pre.add(presynaptic);
    }

    /** The trace after the block: F₀ ⊙ D + Σ_s pre_s ⊗ ũ_s, [B, H, H]. */
    Operand<TFloat32> fold(Ops tf, Operand<TFloat32> base) {
      Operand<TFloat32> added =
          tf.train.batchMatMul(pre(tf), increments, TFloat32.class, BatchMatMul.adjX(true));
      if (base == null) {
        return added;
      }
      Operand<TFloat32> perColumn = perUnit(decay) ? tf.expandDims(decay, tf.constant(1)) : decay;
      return tf.math.add(tf.math.mul(base, perColumn), added);
    }

    private static boolean perUnit(Operand<TFloat32> d) {
      return d.shape().numDimensions() > 0;
    }
  }

  /** The unrolled episode from a zero state and a zero trace. */
  public Episode forward(Ops tf, Operand<TFloat32> inputs) {
    return forward(tf, inputs, null, null);
  }

  /** A zero state h_0, [batch, H], where {@code batch} is a scalar int operand. */
  public Operand<TFloat32> initialState(Ops tf, Operand<TInt32> batch) {
    Operand<TInt32> shape =
        tf.concat(
            List.of(
                tf.reshape(batch, tf.constant(new int[] {1})),
                tf.constant(new int[] {spec.hidden()})),
            tf.constant(0));
    return tf.zeros(shape, TFloat32.class);
  }

  /**
   * A zero trace, [batch, H, H], where {@code batch} is a scalar int operand.
   *
   * @throws IllegalStateException for {@link Plasticity#NONE}, which carries no trace
   */
  public Operand<TFloat32> initialTrace(Ops tf, Operand<TInt32> batch) {
    if (!spec.carriesTrace()) {
      throw new IllegalStateException("plasticity NONE carries no trace");
    }
    return rule.initialTrace(tf, batch);
  }

  private Parameter add(VariableRegistry variables, String name, InitialValue init) {
    Parameter parameter = init.createParameter(variables, name);
    parameters.add(parameter);
    return parameter;
  }
}
