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
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The training graph of a {@link GoNoGoAgent}: episodes played inside the graph, an advantage
 * actor-critic loss, gradient-norm clipping and an optimizer, in a graph of its own.
 *
 * <p>Placeholders: {@code episode/cues} [B, T, K] (one-hot), {@code episode/outcome_go} [B, T] (1
 * where the trial is rewarded as a Go cue) and {@code episode/seed} int64 [2], the key of the
 * stateless uniform noise u [B, T] that draws the actions, so a run repeats bit for bit. With π_t
 * the policy, a_t the action drawn, r_t the reward and V_t the critic (all from one readout of the
 * stacked states, {@link GoNoGoAgent#readout}), the loss averaged over the B·T trials is the
 * advantage actor-critic's (Mnih et al. 2016, "Asynchronous methods for deep reinforcement
 * learning", with the one-trial return r_t; REINFORCE with a learned baseline, Williams 1992):
 *
 * <pre>
 *   L = mean_{b,t} [ −(r_t − V_t)⊥ · log π_t(a_t)  +  c_V · (r_t − V_t)²  −  c_H · H(π_t) ]
 * </pre>
 *
 * where ⊥ stops the gradient and H is the policy's entropy.
 *
 * <p>Entry points: {@code train_episode/loss} (one optimizer step; returns L before it, NaN when
 * training diverged) and {@code train_episode/gradient_norm}; and, without training, the played
 * episode: {@code play/actions}, {@code play/rewards}, {@code play/respond_probability}, {@code
 * play/value}, {@code play/dopamine} (δ), {@code play/noradrenaline} (ν), {@code
 * play/acetylcholine} (u), {@code play/serotonin} (s), all [B, T], and {@code play/loss}. Two int64
 * counters, {@code training_steps} and {@code episodes_trained}, advance with each training step.
 * Every optimizer update waits for every clipped gradient and for the loss, so a step is
 * deterministic.
 */
public final class GoNoGoTrainingGraph {
  /**
   * How the agent is trained.
   *
   * @param optimizer the optimizer
   * @param valueWeight c_V &gt; 0, the weight of the critic's squared error
   * @param entropyWeight c_H ≥ 0, the weight of the entropy bonus
   * @param clipNorm bound &gt; 0 on the gradient's global norm ({@code +Infinity}: none)
   */
  public record Config(
      OptimizerConfig optimizer, double valueWeight, double entropyWeight, double clipNorm) {
    public Config {
      checkNotNull(optimizer, "optimizer must not be null");
      checkArgument(
          valueWeight > 0 && Double.isFinite(valueWeight),
          "value weight c_V must be finite and > 0, got %s",
          valueWeight);
      checkArgument(
          entropyWeight >= 0 && Double.isFinite(entropyWeight),
          "entropy weight c_H must be finite and >= 0, got %s",
          entropyWeight);
      checkArgument(
          clipNorm > 0 && !Double.isNaN(clipNorm),
          "clip norm must be > 0 (or +Infinity for no clipping), got %s",
          clipNorm);
    }

    /** Adam at {@code learningRate}, c_V = 0.5, c_H = 0.05, clip 10. */
    public static Config adam(double learningRate) {
      return new Config(
          OptimizerConfig.Adam.withLearningRate(learningRate),
          0.5,
          0.05,
          EpisodeTrainingGraph.DEFAULT_CLIP_NORM);
    }
  }

  private final GoNoGoAgentSpec spec;
  private final Config config;
  private final VariableRegistry variables;
  private final GoNoGoAgent agent;
  private final Placeholder<TFloat32> cues;
  private final Placeholder<TFloat32> outcomeGo;
  private final Placeholder<TInt64> seed;
  private final Operand<TFloat32> trainLoss;
  private final Operand<TFloat32> gradientNorm;
  private final Map<String, Operand<TFloat32>> play = new LinkedHashMap<>();
  private final Variable<TInt64> trainingSteps;
  private final Variable<TInt64> episodesTrained;

  /**
   * Builds the graph in {@code graph}, which must be empty.
   *
   * @param graph an empty graph; the caller owns and closes it
   */
  public GoNoGoTrainingGraph(Graph graph, GoNoGoAgentSpec spec, Config config) {
    checkNotNull(graph, "graph must not be null");
    this.spec = checkNotNull(spec, "spec must not be null");
    this.config = checkNotNull(config, "config must not be null");
    checkArgument(
        !graph.operations().hasNext(), "the Go/No-Go training graph needs an empty graph");
    Ops tf = Ops.create(graph);
    this.variables = new VariableRegistry(tf);
    int trials = spec.trials();
    Ops episode = variables.scope("episode");
    this.cues =
        episode
            .withName("cues")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, trials, spec.cues())));
    this.outcomeGo =
        episode
            .withName("outcome_go")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, trials)));
    this.seed = episode.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));

    this.agent = new GoNoGoAgent(spec, variables);
    List<Parameter> parameters = agent.parameters();
    Optimizer updater = config.optimizer().attach(variables, parameters);
    this.trainingSteps = variables.create("training_steps", tf.constant(0L));
    this.episodesTrained = variables.create("episodes_trained", tf.constant(0L));

    Ops model = variables.scope("model");
    Operand<TFloat32> noise =
        model.random.statelessRandomUniform(model.shape(outcomeGo, TInt64.class), seed);
    GoNoGoAgent.Episode played = agent.play(model, cues, outcomeGo, noise);
    Operand<TFloat32> loss = loss(variables.scope("loss"), played);

    EpisodeOptimizerStep.Outputs optimizerStep =
        EpisodeOptimizerStep.build(
            variables.scope("train_episode"),
            loss,
            parameters,
            updater,
            config.clipNorm(),
            trainingSteps,
            episodesTrained,
            outcomeGo);
    this.trainLoss = optimizerStep.loss();
    this.gradientNorm = optimizerStep.gradientNorm();

    playOutputs(played, loss);
  }

  /** The {@code play/…} outputs: the played episode's series and L, without training. */
  private void playOutputs(GoNoGoAgent.Episode played, Operand<TFloat32> loss) {
    Ops out = variables.scope("play");
    Map<String, Operand<TFloat32>> series = new LinkedHashMap<>();
    series.put("actions", played.actions());
    series.put("rewards", played.rewards());
    series.put("respond_probability", played.respondProbability());
    series.put("value", played.values());
    series.put("dopamine", played.dopamine());
    series.put("noradrenaline", played.noradrenaline());
    series.put("acetylcholine", played.acetylcholine());
    series.put("serotonin", played.serotonin());
    series.put("loss", loss);
    series.forEach((name, value) -> play.put(name, out.withName(name).identity(value)));
  }

  /** L of the class Javadoc, a scalar. */
  private Operand<TFloat32> loss(Ops tf, GoNoGoAgent.Episode played) {
    GoNoGoAgent.Readout readout = agent.readout(tf, played.states(), played.inhibition());
    Operand<TFloat32> logProbabilities =
        tf.reshape(
            tf.nn.logSoftmax(tf.reshape(readout.logits(), tf.constant(new long[] {-1, 2}))),
            tf.constant(new long[] {-1, spec.trials(), 2}));
    Operand<TFloat32> respond = played.actions();
    Operand<TFloat32> chosen =
        tf.stack(List.of(tf.math.sub(tf.constant(1f), respond), respond), Stack.axis(2L));
    Operand<TFloat32> logChosen = tf.reduceSum(tf.math.mul(chosen, logProbabilities), axis(tf, 2));
    Operand<TFloat32> error = tf.math.sub(played.rewards(), readout.values());
    Operand<TFloat32> policy =
        tf.math.neg(meanAll(tf, tf.math.mul(tf.stopGradient(error), logChosen)));
    Operand<TFloat32> value = meanAll(tf, tf.math.square(error));
    Operand<TFloat32> entropy =
        tf.math.neg(
            meanAll(
                tf,
                tf.reduceSum(
                    tf.math.mul(tf.math.exp(logProbabilities), logProbabilities), axis(tf, 2))));
    return tf.math.sub(
        tf.math.add(policy, tf.math.mul(tf.constant((float) config.valueWeight()), value)),
        tf.math.mul(tf.constant((float) config.entropyWeight()), entropy));
  }

  private static Operand<TFloat32> meanAll(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(x, tf.constant(new int[] {0, 1}));
  }

  private static Operand<TInt32> axis(Ops tf, int axis) {
    return tf.constant(axis);
  }

  /** The agent's architecture. */
  public GoNoGoAgentSpec spec() {
    return spec;
  }

  /** How the agent is trained. */
  public Config config() {
    return config;
  }

  /** The agent. */
  public GoNoGoAgent agent() {
    return agent;
  }

  /** Every variable of the graph (weights, learned plasticity, optimizer slots) by name. */
  public Map<String, Variable<?>> variables() {
    return new LinkedHashMap<>(variables.variables());
  }

  /** {@code episode/cues}, [B, T, K]. */
  public Placeholder<TFloat32> cues() {
    return cues;
  }

  /** {@code episode/outcome_go}, [B, T]. */
  public Placeholder<TFloat32> outcomeGo() {
    return outcomeGo;
  }

  /** {@code episode/seed}, int64 [2]: the key of the noise that draws the actions. */
  public Placeholder<TInt64> seed() {
    return seed;
  }

  /** {@code train_episode/loss}: runs one optimizer step and returns the loss before it. */
  public Operand<TFloat32> trainLoss() {
    return trainLoss;
  }

  /** {@code train_episode/gradient_norm}: runs one optimizer step; the norm before clipping. */
  public Operand<TFloat32> gradientNorm() {
    return gradientNorm;
  }

  /**
   * The played episode's outputs by name ({@code actions}, {@code rewards}, {@code
   * respond_probability}, {@code value}, {@code dopamine}, {@code noradrenaline}, {@code
   * acetylcholine}, {@code serotonin}: [B, T]; {@code loss}: a scalar), each {@code play/<name>}.
   */
  public Map<String, Operand<TFloat32>> play() {
    return new LinkedHashMap<>(play);
  }

  /** {@code training_steps}: how many times {@code train_episode} ran, int64 scalar. */
  public Variable<TInt64> trainingSteps() {
    return trainingSteps;
  }

  /** {@code episodes_trained}: episodes over every {@code train_episode} run, int64 scalar. */
  public Variable<TInt64> episodesTrained() {
    return episodesTrained;
  }
}
