package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.VariableRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The training graph of a {@link PlasticRnn} over whole episodes: the unrolled cell, a masked loss,
 * gradient-norm clipping and an optimizer, in a graph of its own.
 *
 * <p>Placeholders: {@code episode/inputs} [B, T, inputSize], {@code episode/targets} [B, T,
 * outputSize] and {@code episode/mask} [B, T], a weight per step, 1 where the step is scored and 0
 * where it is not. Every episode starts from a zero state and a zero trace.
 *
 * <p>With ℓ_{b,t} the per-step loss of {@link Loss} and m the mask, the episode loss is the mean
 * over scored steps
 *
 * <pre>
 *   L = Σ_{b,t} m_{b,t} ℓ_{b,t} / max(Σ_{b,t} m_{b,t}, {@value #MIN_MASS})
 * </pre>
 *
 * (zero when no step is scored). Entry points, each an output whose evaluation runs what it needs:
 *
 * <ul>
 *   <li>{@code train_episode/loss}: one optimizer step on L, the gradient over {@link
 *       PlasticRnn#parameters()} rescaled to a global norm of at most {@code clipNorm}; returns L
 *       as computed before the step (NaN or infinite when training diverged: the caller must
 *       check). {@code train_episode/gradient_norm} is the global norm before clipping.
 *   <li>{@code evaluate_episode/loss} and {@code evaluate_episode/metric}: L and, for {@link
 *       Loss#CLASSIFICATION}, the accuracy over scored steps (argmax of the logits equal to argmax
 *       of the targets), for {@link Loss#REGRESSION} the mean squared error over scored steps and
 *       outputs (L / outputSize); no variable changes.
 *   <li>{@code predict/logits}: the logits of every step, [B, T, outputSize].
 *   <li>{@code step/logits}, {@code step/next_state} and {@code step/next_trace}: one step of the
 *       cell ({@link PlasticRnn#step}) from the placeholders {@code step/x} [B, inputSize], {@code
 *       step/state} [B, H] and {@code step/trace} [B, H, H] (no trace placeholder or output for
 *       {@link PlasticRnnSpec.Plasticity#NONE}). Fed h_0 = 0 and a zero trace, then each step's
 *       state and trace, it gives the logits of {@code predict/logits} one step at a time; this is
 *       what a SavedModel serves.
 * </ul>
 *
 * <p>Two int64 counters are variables beside the weights, so that they travel with a checkpoint:
 * {@code training_steps} (train_episode runs) and {@code episodes_trained} (episodes over those
 * runs); {@code train_episode} advances both.
 *
 * <p>The whole graph, optimizer slots included, is built by the constructor. Every optimizer update
 * waits for every (clipped) gradient and for the loss, so no op of the step can read a weight that
 * another update already changed: a step is deterministic (docs/architecture.md, "Determinism").
 */
public final class EpisodeTrainingGraph {
  /** Default bound on the global gradient norm. */
  public static final double DEFAULT_CLIP_NORM = 10.0;

  /** Lower bound of the mask's mass in the loss's denominator. */
  public static final float MIN_MASS = 1e-6f;

  /** The per-step loss ℓ_{b,t} and its metric. */
  public enum Loss {
    /**
     * Softmax cross-entropy of the logits y against the targets p (one-hot or soft), ℓ = −Σ_o p_o
     * log softmax(y)_o; the metric is the accuracy over scored steps.
     */
    CLASSIFICATION,
    /** Squared error summed over outputs, ℓ = Σ_o (y_o − p_o)²; the metric is the MSE. */
    REGRESSION
  }

  private final Graph graph;
  private final PlasticRnnSpec spec;
  private final OptimizerConfig optimizer;
  private final Loss lossKind;
  private final double clipNorm;
  private final VariableRegistry variables;
  private final PlasticRnn rnn;
  private final Placeholder<TFloat32> inputs;
  private final Placeholder<TFloat32> targets;
  private final Placeholder<TFloat32> mask;
  private final Operand<TFloat32> trainLoss;
  private final Operand<TFloat32> gradientNorm;
  private final Operand<TFloat32> evaluateLoss;
  private final Operand<TFloat32> metric;
  private final Operand<TFloat32> logits;
  private final Variable<TInt64> trainingSteps;
  private final Variable<TInt64> episodesTrained;
  private final SingleStep single;
  private final StateEntries state;

  /**
   * Builds the graph in {@code graph}, which must be empty.
   *
   * @param graph an empty graph; the caller owns and closes it
   * @param spec the cell's architecture
   * @param optimizer the optimizer
   * @param loss the per-step loss
   * @param clipNorm bound &gt; 0 on the gradient's global norm; {@link Double#POSITIVE_INFINITY}
   *     turns clipping off
   */
  public EpisodeTrainingGraph(
      Graph graph, PlasticRnnSpec spec, OptimizerConfig optimizer, Loss loss, double clipNorm) {
    checkArguments(graph, spec, optimizer, loss, clipNorm);
    this.graph = graph;
    this.spec = spec;
    this.optimizer = optimizer;
    this.lossKind = loss;
    this.clipNorm = clipNorm;
    Ops tf = Ops.create(graph);
    this.variables = new VariableRegistry(tf);
    int steps = spec.steps();
    Ops episode = variables.scope("episode");
    this.inputs = floats(episode, "inputs", -1, steps, spec.inputSize());
    this.targets = floats(episode, "targets", -1, steps, spec.outputSize());
    this.mask = floats(episode, "mask", -1, steps);

    this.rnn = new PlasticRnn(spec, variables);
    List<Parameter> parameters = rnn.parameters();
    Optimizer updater = optimizer.attach(variables, parameters);
    this.trainingSteps = variables.create("training_steps", tf.constant(0L));
    this.episodesTrained = variables.create("episodes_trained", tf.constant(0L));

    Ops model = variables.scope("model");
    Operand<TFloat32> stepLogits = rnn.forward(model, inputs).logits();

    Ops lossScope = variables.scope("loss");
    Operand<TFloat32> perStep = perStepLoss(lossScope, stepLogits);
    Operand<TFloat32> mass = mass(lossScope);
    Operand<TFloat32> meanLoss =
        lossScope.withName("masked_mean").math.div(maskedSum(lossScope, perStep), mass);

    EpisodeOptimizerStep.Outputs optimizerStep =
        EpisodeOptimizerStep.build(
            variables.scope("train_episode"),
            meanLoss,
            parameters,
            updater,
            clipNorm,
            trainingSteps,
            episodesTrained,
            inputs);
    this.trainLoss = optimizerStep.loss();
    this.gradientNorm = optimizerStep.gradientNorm();

    Ops eval = variables.scope("evaluate_episode");
    this.evaluateLoss = eval.withName("loss").identity(meanLoss);
    this.metric =
        eval.withName("metric").math.div(maskedSum(eval, perStepMetric(eval, stepLogits)), mass);

    this.logits = variables.scope("predict").withName("logits").identity(stepLogits);

    this.single = singleStep(variables.scope("step"));
    this.state =
        new StateEntries(
            variables.scope("state"),
            variables.scope("save_state"),
            variables.variables(),
            List.of(
                new StateEntries.Counter("episode_training", "training_steps", trainingSteps),
                new StateEntries.Counter("episode_training", "episodes_trained", episodesTrained)));
  }

  /** The {@code state} and {@code save} entry points. */
  public StateEntries state() {
    return state;
  }

  /**
   * Checks what the constructor is given.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the clip norm is not &gt; 0 or the graph is not empty
   */
  private static void checkArguments(
      Graph graph, PlasticRnnSpec spec, OptimizerConfig optimizer, Loss loss, double clipNorm) {
    checkNotNull(graph, "graph must not be null");
    checkNotNull(spec, "spec must not be null");
    checkNotNull(optimizer, "optimizer must not be null");
    checkNotNull(loss, "loss must be CLASSIFICATION or REGRESSION, got null");
    checkArgument(
        clipNorm > 0 && !Double.isNaN(clipNorm),
        "clip norm must be > 0 (or +Infinity for no clipping), got %s",
        clipNorm);
    checkArgument(!graph.operations().hasNext(), "the episode training graph needs an empty graph");
  }

  /** A float placeholder named {@code name} of shape {@code dims} (-1 for the batch). */
  private static Placeholder<TFloat32> floats(Ops tf, String name, long... dims) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
  }

  /** The metric per step, [B, T]: 1 for a correct argmax, or the mean squared error. */
  private Operand<TFloat32> perStepMetric(Ops eval, Operand<TFloat32> stepLogits) {
    return switch (lossKind) {
      case CLASSIFICATION ->
          eval.dtypes.cast(
              eval.math.equal(
                  eval.math.argMax(stepLogits, eval.constant(2), TInt32.class),
                  eval.math.argMax(targets, eval.constant(2), TInt32.class)),
              TFloat32.class);
      case REGRESSION ->
          eval.math.mean(eval.math.squaredDifference(stepLogits, targets), eval.constant(2));
    };
  }

  /**
   * The {@code step/…} placeholders and outputs of one step of the cell.
   *
   * @param input {@code step/x}
   * @param state {@code step/state}
   * @param trace {@code step/trace}; null without a trace
   * @param logits {@code step/logits}
   * @param nextState {@code step/next_state}
   * @param nextTrace {@code step/next_trace}; null without a trace
   */
  private record SingleStep(
      Placeholder<TFloat32> input,
      Placeholder<TFloat32> state,
      Placeholder<TFloat32> trace,
      Operand<TFloat32> logits,
      Operand<TFloat32> nextState,
      Operand<TFloat32> nextTrace) {}

  /** One step of the cell from fed state and trace, in {@code one}'s scope. */
  private SingleStep singleStep(Ops one) {
    int hidden = spec.hidden();
    Placeholder<TFloat32> input = floats(one, "x", -1, spec.inputSize());
    Placeholder<TFloat32> state = floats(one, "state", -1, hidden);
    Placeholder<TFloat32> trace =
        spec.carriesTrace() ? floats(one, "trace", -1, hidden, hidden) : null;
    PlasticRnn.Step step = rnn.step(one, input, state, trace);
    Operand<TFloat32> logits = one.withName("logits").identity(step.logits());
    Operand<TFloat32> next = one.withName("next_state").identity(step.state());
    return new SingleStep(
        input,
        state,
        trace,
        logits,
        next,
        spec.carriesTrace() ? one.withName("next_trace").identity(step.trace()) : null);
  }

  /** ℓ_{b,t}, [B, T]. */
  private Operand<TFloat32> perStepLoss(Ops tf, Operand<TFloat32> stepLogits) {
    return switch (lossKind) {
      case CLASSIFICATION -> {
        Operand<TInt32> flat = tf.constant(new int[] {-1, spec.outputSize()});
        Operand<TFloat32> crossEntropy =
            tf.nn
                .softmaxCrossEntropyWithLogits(
                    tf.reshape(stepLogits, flat), tf.reshape(targets, flat))
                .loss();
        yield tf.reshape(crossEntropy, tf.constant(new int[] {-1, spec.steps()}));
      }
      case REGRESSION ->
          tf.reduceSum(tf.math.squaredDifference(stepLogits, targets), tf.constant(2));
    };
  }

  /** max(Σ_{b,t} m_{b,t}, {@value #MIN_MASS}), the denominator of L. */
  private Operand<TFloat32> mass(Ops tf) {
    return tf.math.maximum(
        tf.reduceSum(mask, tf.constant(new int[] {0, 1})), tf.constant(MIN_MASS));
  }

  /** Σ_{b,t} m_{b,t} v_{b,t}, a scalar. */
  private Operand<TFloat32> maskedSum(Ops tf, Operand<TFloat32> perStep) {
    return tf.reduceSum(tf.math.mul(mask, perStep), tf.constant(new int[] {0, 1}));
  }

  /** The graph this training graph was built in. */
  public Graph graph() {
    return graph;
  }

  /** The cell's architecture. */
  public PlasticRnnSpec spec() {
    return spec;
  }

  /** The optimizer's configuration. */
  public OptimizerConfig optimizer() {
    return optimizer;
  }

  /** The per-step loss. */
  public Loss loss() {
    return lossKind;
  }

  /** The bound on the gradient's global norm ({@code +Infinity}: no clipping). */
  public double clipNorm() {
    return clipNorm;
  }

  /** The cell. */
  public PlasticRnn rnn() {
    return rnn;
  }

  /** Every variable of the graph (weights, learned plasticity, optimizer slots) by name. */
  public Map<String, Variable<?>> variables() {
    return new LinkedHashMap<>(variables.variables());
  }

  /** {@code episode/inputs}, [B, T, inputSize]. */
  public Placeholder<TFloat32> inputs() {
    return inputs;
  }

  /** {@code episode/targets}, [B, T, outputSize]. */
  public Placeholder<TFloat32> targets() {
    return targets;
  }

  /** {@code episode/mask}, [B, T]: 1 where the step is scored, 0 where it is not. */
  public Placeholder<TFloat32> mask() {
    return mask;
  }

  /** {@code train_episode/loss}: runs one optimizer step and returns the loss before it. */
  public Operand<TFloat32> trainLoss() {
    return trainLoss;
  }

  /** {@code train_episode/gradient_norm}: runs one optimizer step; the norm before clipping. */
  public Operand<TFloat32> gradientNorm() {
    return gradientNorm;
  }

  /** {@code evaluate_episode/loss}: the masked mean loss, without training. */
  public Operand<TFloat32> evaluateLoss() {
    return evaluateLoss;
  }

  /** {@code evaluate_episode/metric}: accuracy (CLASSIFICATION) or MSE (REGRESSION). */
  public Operand<TFloat32> metric() {
    return metric;
  }

  /** {@code predict/logits}: [B, T, outputSize]. */
  public Operand<TFloat32> logits() {
    return logits;
  }

  /** {@code training_steps}: how many times {@code train_episode} ran, int64 scalar. */
  public Variable<TInt64> trainingSteps() {
    return trainingSteps;
  }

  /** {@code episodes_trained}: episodes over every {@code train_episode} run, int64 scalar. */
  public Variable<TInt64> episodesTrained() {
    return episodesTrained;
  }

  /** {@code step/x}: the input x_t of one step, [B, inputSize]. */
  public Placeholder<TFloat32> stepInput() {
    return single.input();
  }

  /** {@code step/state}: the state h_{t−1} before one step, [B, H]. */
  public Placeholder<TFloat32> stepState() {
    return single.state();
  }

  /** {@code step/trace}: the trace before one step, [B, H, H]; null for plasticity NONE. */
  public Placeholder<TFloat32> stepTrace() {
    return single.trace();
  }

  /** {@code step/logits}: y_t of one step, [B, outputSize]. */
  public Operand<TFloat32> stepLogits() {
    return single.logits();
  }

  /** {@code step/next_state}: h_t after one step, [B, H]. */
  public Operand<TFloat32> nextState() {
    return single.nextState();
  }

  /** {@code step/next_trace}: the trace after one step, [B, H, H]; null for plasticity NONE. */
  public Operand<TFloat32> nextTrace() {
    return single.nextTrace();
  }
}
