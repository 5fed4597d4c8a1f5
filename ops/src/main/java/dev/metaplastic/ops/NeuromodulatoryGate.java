package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Neuromodulators gating a consolidation rule (SI, EWC, …) that shares its graph: the signals of
 * {@link Neuromodulators}, computed from the stream of task losses, set the optimizer's rate and
 * the penalties' strength. It generalises {@link NeuromodulatedLearningRate}, whose one gain is a
 * loss surprise, to any subset of dopamine, noradrenaline and acetylcholine.
 *
 * <p>The outcome of a step is −L, its prediction −L̄, so with L the step's task loss:
 *
 * <pre>
 *   δ = (L̄ − L) / (L̄ + L + ε)                  dopamine, relative and in (−1, 1) ({@link Dopamine})
 *   f ← f + β_fast (δ² − f),  u ← u + β_slow (δ² − u),  ν = max(0, f − u)/(f + ε)
 *   g = clip( max(g_min, 1 + κ_DA δ)[DA] · (1 + κ_NA ν)[NA], g_min, g_max )
 *   θ ← θ − g · step                             step: what the optimizer proposes
 *   penalties × (1 + κ_ACh u)[ACh]                acetylcholine
 *   L̄ ← L̄ + β_V (L − L̄)                         after the step
 * </pre>
 *
 * Each gate marked [X] is 1 unless modulator X acts. Dopamine gates plasticity by the sign of the
 * outcome: a loss below its prediction raises the rate and one above it lowers it, so the large
 * errors of a new task's first batches move the shared weights less. Noradrenaline raises the rate
 * when errors grow beyond their usual level ({@link Noradrenaline}: unexpected uncertainty, as at a
 * task switch). Acetylcholine's expected uncertainty u ({@link Acetylcholine}) strengthens the
 * consolidation penalties: a batch whose loss is known to be noisy is trusted less than what
 * consolidated memory holds (the direction of {@link Acetylcholine#trust}). Serotonin acts on a
 * response, which a classifier trained by gradient does not emit, so it has no gate here. At the
 * first step there is no prediction: g = 1 and L̄ ← L. The relative δ makes the constants free of
 * the loss's scale; ε = {@value #EPSILON}. The forms are ours (the citations are in the modulators'
 * classes).
 *
 * <p>State, not tied to one parameter: {@code neuromod_gate/task_loss/prediction} L̄, {@code
 * .../recent} f, {@code .../expected} u and {@code .../seen} (0 before the first step, then 1).
 * Nothing happens at a task boundary: the signals keep running, so that a new task's first losses
 * are the surprise. No penalty of its own. With dopamine or noradrenaline the gate transforms
 * steps, so it cannot share a graph with {@link Metaplasticity}, {@link BennaFusiSynapse} or {@link
 * NeuromodulatedLearningRate}.
 */
public final class NeuromodulatoryGate implements ConsolidationRule, PenaltyScale {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "neuromod_gate";

  /** The second segment of the state names: the quantity the state tracks. */
  public static final String TRACKED = "task_loss";

  /** ε of the relative prediction error and of ν. */
  public static final double EPSILON = 1e-6;

  /** The modulators that can gate a consolidation rule. */
  public static final Set<Modulator> GATES =
      EnumSet.of(Modulator.DOPAMINE, Modulator.NORADRENALINE, Modulator.ACETYLCHOLINE);

  private final Config config;
  private final List<Parameter> parameters;
  private final Variable<TFloat32> prediction;
  private final Variable<TFloat32> recent;
  private final Variable<TFloat32> expected;
  private final Variable<TFloat32> seen;
  private final Operand<TFloat32> penalty;

  /**
   * The gate's modulators and constants.
   *
   * @param modulators a non-empty subset of {@link #GATES}
   * @param predictionRate β_V of the loss prediction L̄, in (0, 1]
   * @param fastRate β_fast of noradrenaline's recent error, in (0, 1]
   * @param slowRate β_slow of acetylcholine's expected uncertainty, in (0, β_fast)
   * @param dopamineSlope κ_DA ≥ 0
   * @param gainSlope κ_NA ≥ 0
   * @param trustSlope κ_ACh ≥ 0
   * @param minGain g_min &gt; 0
   * @param maxGain g_max ≥ max(1, g_min)
   */
  public record Config(
      Set<Modulator> modulators,
      double predictionRate,
      double fastRate,
      double slowRate,
      double dopamineSlope,
      double gainSlope,
      double trustSlope,
      double minGain,
      double maxGain)
      implements RuleConfig {
    public Config {
      checkNotNull(modulators, "modulators");
      modulators = Set.copyOf(modulators);
      checkArgument(
          !modulators.isEmpty() && GATES.containsAll(modulators),
          "a consolidation rule is gated by da, na or ach (5ht acts on a response, which a"
              + " classifier does not emit), got %s",
          Modulator.describe(modulators));
      checkArgument(
          predictionRate > 0 && predictionRate <= 1,
          "prediction_rate must be in (0, 1], got %s",
          predictionRate);
      checkArgument(fastRate > 0 && fastRate <= 1, "fast_rate must be in (0, 1], got %s", fastRate);
      checkArgument(
          slowRate > 0 && slowRate < fastRate,
          "slow_rate must be in (0, fast_rate = %s), got %s",
          fastRate,
          slowRate);
      for (double kappa : new double[] {dopamineSlope, gainSlope, trustSlope}) {
        checkArgument(
            kappa >= 0 && Double.isFinite(kappa), "slopes must be finite and >= 0, got %s", kappa);
      }
      checkArgument(minGain > 0, "min_gain must be > 0, got %s", minGain);
      checkArgument(
          Double.isFinite(maxGain) && maxGain >= Math.max(1, minGain),
          "max_gain must be finite and >= max(1, min_gain = %s), got %s",
          minGain,
          maxGain);
    }

    /**
     * Our starting constants: β_V = 0.05, β_fast = 0.5, β_slow = 0.05, κ_DA = 1, κ_NA = 2, κ_ACh =
     * 2, g ∈ [0.25, 3].
     */
    public static Config of(Set<Modulator> modulators) {
      return new Config(modulators, 0.05, 0.5, 0.05, 1, 2, 2, 0.25, 3);
    }

    /** The configuration whose {@link #hyperparameters()} are {@code h}. */
    public static Config fromHyperparameters(Map<String, Double> h) {
      EnumSet<Modulator> modulators = EnumSet.noneOf(Modulator.class);
      for (Modulator m : GATES) {
        if (Rules.required(h, m.shortName(), NAME) != 0) {
          modulators.add(m);
        }
      }
      return new Config(
          modulators,
          Rules.required(h, "prediction_rate", NAME),
          Rules.required(h, "fast_rate", NAME),
          Rules.required(h, "slow_rate", NAME),
          Rules.required(h, "kappa_da", NAME),
          Rules.required(h, "kappa_na", NAME),
          Rules.required(h, "kappa_ach", NAME),
          Rules.required(h, "min_gain", NAME),
          Rules.required(h, "max_gain", NAME));
    }

    /** Whether modulator {@code m} gates. */
    public boolean acts(Modulator m) {
      return modulators.contains(m);
    }

    @Override
    public String name() {
      return NAME;
    }

    /** {@code da}, {@code na}, {@code ach} (1 where the modulator gates, else 0), the constants. */
    @Override
    public Map<String, Double> hyperparameters() {
      Map<String, Double> h = new LinkedHashMap<>();
      for (Modulator m : GATES) {
        h.put(m.shortName(), acts(m) ? 1.0 : 0.0);
      }
      h.put("prediction_rate", predictionRate);
      h.put("fast_rate", fastRate);
      h.put("slow_rate", slowRate);
      h.put("kappa_da", dopamineSlope);
      h.put("kappa_na", gainSlope);
      h.put("kappa_ach", trustSlope);
      h.put("min_gain", minGain);
      h.put("max_gain", maxGain);
      return h;
    }

    @Override
    public ConsolidationRule attach(VariableRegistry variables, List<Parameter> parameters) {
      return new NeuromodulatoryGate(this, variables, parameters);
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder(NAME).append('(').append(Modulator.describe(modulators));
      hyperparameters()
          .forEach(
              (k, v) -> {
                if (GATES.stream().noneMatch(m -> m.shortName().equals(k))) {
                  s.append(", ").append(k).append('=').append(v);
                }
              });
      return s.append(')').toString();
    }
  }

  private NeuromodulatoryGate(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    checkArgument(!parameters.isEmpty(), "a neuromodulatory gate needs a parameter");
    this.config = config;
    this.parameters = ImmutableList.copyOf(parameters);
    Ops init = variables.root();
    String prefix = NAME + "/" + TRACKED + "/";
    this.prediction = variables.create(prefix + "prediction", init.constant(0f));
    this.recent = variables.create(prefix + "recent", init.constant(0f));
    this.expected = variables.create(prefix + "expected", init.constant(0f));
    this.seen = variables.create(prefix + "seen", init.constant(0f));
    this.penalty = variables.scope(NAME).withName("penalty").constant(0f);
  }

  /**
   * The signals after a step with task loss L, from the state before it.
   *
   * @param error δ (0 at the first step)
   * @param prediction L̄ after the step
   * @param recent f after the step
   * @param expected u after the step
   */
  record Signals(
      Operand<TFloat32> error,
      Operand<TFloat32> prediction,
      Operand<TFloat32> recent,
      Operand<TFloat32> expected) {}

  /** The equations of the class Javadoc for one step, before its gains are applied. */
  static Signals signals(
      Ops tf,
      Operand<TFloat32> loss,
      Operand<TFloat32> prediction,
      Operand<TFloat32> recent,
      Operand<TFloat32> expected,
      Operand<TFloat32> seen,
      Config config) {
    Operand<TBool> started = tf.math.greater(seen, tf.constant(0f));
    Operand<TFloat32> error =
        tf.select(
            started,
            tf.math.div(
                Dopamine.predictionError(tf, tf.math.neg(loss), tf.math.neg(prediction)),
                tf.math.add(tf.math.add(prediction, loss), tf.constant((float) EPSILON))),
            tf.constant(0f));
    return new Signals(
        error,
        tf.select(
            started,
            Neuromodulation.baselineUpdate(tf, prediction, loss, (float) config.predictionRate()),
            loss),
        Noradrenaline.recentError(tf, recent, error, (float) config.fastRate()),
        Acetylcholine.expectedUncertainty(tf, expected, error, (float) config.slowRate()));
  }

  @Override
  public Config config() {
    return config;
  }

  @Override
  public List<Parameter> parameters() {
    return parameters;
  }

  /** L̄, f, u and the flag {@code seen}, all with parameter {@value #TRACKED}. */
  @Override
  public List<StateVariable> state() {
    return List.of(
        new StateVariable(TRACKED, "prediction", prediction),
        new StateVariable(TRACKED, "recent", recent),
        new StateVariable(TRACKED, "expected", expected),
        new StateVariable(TRACKED, "seen", seen));
  }

  /** A constant zero: the gate adds nothing to the loss. */
  @Override
  public Operand<TFloat32> penalty() {
    return penalty;
  }

  @Override
  public boolean hasPenalty() {
    return false;
  }

  @Override
  public boolean transformsSteps() {
    return config.acts(Modulator.DOPAMINE) || config.acts(Modulator.NORADRENALINE);
  }

  @Override
  public List<Operand<TFloat32>> transformSteps(
      Ops ops, List<Operand<TFloat32>> steps, Operand<TFloat32> taskLoss) {
    checkArgument(
        steps.size() == parameters.size(),
        "expected %s steps, got %s",
        parameters.size(),
        steps.size());
    checkNotNull(taskLoss, "%s needs the task loss", NAME);
    Operand<TFloat32> g = gain(ops, taskLoss);
    List<Operand<TFloat32>> out = new ArrayList<>();
    steps.forEach(step -> out.add(ops.math.mul(step, g)));
    return out;
  }

  /** The rate's gain g of a step with task loss L, read against the state before the step. */
  Operand<TFloat32> gain(Ops tf, Operand<TFloat32> loss) {
    Signals s = signals(tf, loss, prediction, recent, expected, seen, config);
    Operand<TFloat32> g = tf.constant(1f);
    if (config.acts(Modulator.DOPAMINE)) {
      g =
          tf.math.maximum(
              tf.math.add(
                  tf.constant(1f),
                  tf.math.mul(tf.constant((float) config.dopamineSlope()), s.error())),
              tf.constant((float) config.minGain()));
    }
    if (config.acts(Modulator.NORADRENALINE)) {
      g =
          tf.math.mul(
              g,
              Noradrenaline.gain(
                  tf,
                  Noradrenaline.unexpectedUncertainty(tf, s.recent(), s.expected()),
                  (float) config.gainSlope()));
    }
    return tf.math.minimum(
        tf.math.maximum(g, tf.constant((float) config.minGain())),
        tf.constant((float) config.maxGain()));
  }

  /** 1 + κ_ACh · u with acetylcholine, else 1. */
  @Override
  public Operand<TFloat32> penaltyScale(Ops tf) {
    return config.acts(Modulator.ACETYLCHOLINE)
        ? tf.math.add(
            tf.constant(1f), tf.math.mul(tf.constant((float) config.trustSlope()), expected))
        : tf.constant(1f);
  }

  /** Folds the step's loss into L̄, f and u, after the parameter updates (which read them). */
  @Override
  public List<Op> afterStep(StepContext step) {
    Operand<TFloat32> loss = checkNotNull(step.taskLoss(), "%s needs the task loss", NAME);
    Ops after = step.tf();
    Signals s = signals(after, loss, prediction, recent, expected, seen, config);
    // Every new value is computed before any is written: each reads the others' old values.
    Ops write =
        after.withControlDependencyOps(
            List.of(s.prediction().op(), s.recent().op(), s.expected().op()));
    List<Op> folds =
        List.of(
            write.assign(prediction, s.prediction()),
            write.assign(recent, s.recent()),
            write.assign(expected, s.expected()));
    // The flag changes only once the new state, which reads it, is written.
    Op mark = after.withControlDependencies(folds).assign(seen, after.constant(1f));
    List<Op> out = new ArrayList<>(folds);
    out.add(mark);
    return out;
  }

  /** Nothing: the signals keep running across a boundary. */
  @Override
  public List<Op> consolidate() {
    return List.of();
  }

  /** Nothing: the state describes losses, not parameters. */
  @Override
  public List<Op> rebase() {
    return List.of();
  }
}
