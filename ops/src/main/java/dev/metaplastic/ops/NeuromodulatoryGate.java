package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
 * Neuromodulators gating the consolidation rules (SI, EWC, …) that share its graph: the signals of
 * {@link Neuromodulators}, computed from the stream of task losses, set the optimizer's rate and
 * the penalties' strength. It generalises {@link NeuromodulatedLearningRate}, whose one gain is a
 * loss surprise, to any subset of dopamine, noradrenaline and acetylcholine ("many-to-one": the
 * subset gates every rule of the graph).
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
 * <p>Capabilities follow the modulators: with dopamine or noradrenaline the gate is a {@link
 * StepTransform} (so it cannot share a graph with {@link Metaplasticity}, {@link BennaFusiSynapse}
 * or {@link NeuromodulatedLearningRate}), with acetylcholine a {@link PenaltyScale}, and always an
 * {@link AfterStep} that folds the loss into its signals. It has no penalty of its own and does
 * nothing at a task boundary: the signals keep running, so that a new task's first losses are the
 * surprise.
 *
 * <p>State, not tied to one parameter: {@code neuromod_gate/task_loss/prediction} L̄, {@code
 * .../recent} f, {@code .../expected} u and {@code .../seen} (0 before the first step, then 1).
 *
 * <p>Presets ({@link #DESCRIPTOR}), on every stream: all three modulators, β_V = 0.05, β_fast =
 * 0.5, β_slow = 0.05, κ_DA = 1, κ_NA = 2, κ_ACh = 2, g ∈ [0.25, 3]; ours. κ_DA, κ_NA and κ_ACh were
 * swept with SI on split and permuted Fashion-MNIST (docs/results/neuromod-classification): no
 * value moved the average accuracy by more than the spread between seeds.
 */
public abstract class NeuromodulatoryGate extends AttachedRule<NeuromodulatoryGate.Config>
    implements AfterStep {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "neuromod_gate";

  /** The second segment of the state names: the quantity the state tracks. */
  public static final String TRACKED = "task_loss";

  /** ε of the relative prediction error and of ν. */
  public static final double EPSILON = 1e-6;

  /** The modulators that can gate a consolidation rule, in the order of their hyperparameters. */
  public static final Set<Modulator> GATES =
      EnumSet.of(Modulator.DOPAMINE, Modulator.NORADRENALINE, Modulator.ACETYLCHOLINE);

  /** Whether a modulator gates: the value of its hyperparameter ({@code da}, {@code na}, …). */
  public enum Switch {
    OFF,
    ON
  }

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR = descriptor();

  private static RuleDescriptor<Config> descriptor() {
    RuleDescriptor.Builder<Config> builder =
        RuleDescriptor.builder(
            NAME,
            h -> {
              EnumSet<Modulator> modulators = EnumSet.noneOf(Modulator.class);
              for (Modulator m : GATES) {
                if (h.choice(m.shortName(), Switch.class) == Switch.ON) {
                  modulators.add(m);
                }
              }
              return new Config(
                  modulators,
                  h.real("prediction_rate"),
                  h.real("fast_rate"),
                  h.real("slow_rate"),
                  h.real("kappa_da"),
                  h.real("kappa_na"),
                  h.real("kappa_ach"),
                  h.real("min_gain"),
                  h.real("max_gain"));
            });
    builder
        .hyperparameter(
            Hyperparameter.choice("da", Switch.ON, "dopamine gates the rate by the loss's error"))
        .hyperparameter(
            Hyperparameter.choice(
                "na", Switch.ON, "noradrenaline raises the rate on unexpected uncertainty"))
        .hyperparameter(
            Hyperparameter.choice(
                "ach",
                Switch.ON,
                "acetylcholine strengthens the penalties on expected uncertainty"))
        .hyperparameter(
            Hyperparameter.real(
                "prediction_rate", 0.05, "rate beta_V of the loss prediction, in (0, 1]"))
        .hyperparameter(
            Hyperparameter.real(
                "fast_rate", 0.5, "rate beta_fast of the recent squared error, in (0, 1]"))
        .hyperparameter(
            Hyperparameter.real(
                "slow_rate",
                0.05,
                "rate beta_slow of the expected squared error, in (0, fast_rate)"))
        .hyperparameter(
            Hyperparameter.real("kappa_da", 1, "dopamine's slope on the rate, finite and >= 0"))
        .hyperparameter(
            Hyperparameter.real(
                "kappa_na", 2, "noradrenaline's slope on the rate, finite and >= 0"))
        .hyperparameter(
            Hyperparameter.real(
                "kappa_ach", 2, "acetylcholine's slope on the penalties, finite and >= 0"))
        .hyperparameter(Hyperparameter.real("min_gain", 0.25, "lowest gain of the rate, > 0"))
        .hyperparameter(
            Hyperparameter.real(
                "max_gain", 3, "highest gain of the rate, finite and >= max(1, min_gain)"))
        .summary(
            "neuromodulatory gate of DA, NA, ACh",
            "ours, after Doya 2002 and Yu & Dayan 2005; joined to rules as `si+da+na`",
            "`prediction` L̄, `recent` f, `expected` u, `seen` (one set per graph)")
        .presetSource(
            "ours; κ_DA, κ_NA, κ_ACh swept with SI, all within the spread between seeds"
                + " ([results](docs/results/neuromod-classification/README.md))");
    return builder.build();
  }

  /**
   * The hyperparameters that change what a gate of {@code modulators} does: the switches and the
   * prediction's rate always; κ_DA with dopamine; β_fast, β_slow and κ_NA with noradrenaline (ν
   * compares f with u); β_slow and κ_ACh with acetylcholine; the gain's bounds with a rate gate.
   */
  public static Set<String> actingHyperparameters(Set<Modulator> modulators) {
    Set<String> names = new LinkedHashSet<>(List.of("da", "na", "ach", "prediction_rate"));
    if (modulators.contains(Modulator.DOPAMINE)) {
      names.add("kappa_da");
    }
    if (modulators.contains(Modulator.NORADRENALINE)) {
      names.addAll(List.of("fast_rate", "slow_rate", "kappa_na"));
    }
    if (modulators.contains(Modulator.ACETYLCHOLINE)) {
      names.addAll(List.of("slow_rate", "kappa_ach"));
    }
    if (modulators.contains(Modulator.DOPAMINE) || modulators.contains(Modulator.NORADRENALINE)) {
      names.addAll(List.of("min_gain", "max_gain"));
    }
    return names;
  }

  private final Variable<TFloat32> prediction;
  private final Variable<TFloat32> recent;
  private final Variable<TFloat32> expected;
  private final Variable<TFloat32> seen;

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

    /** The preset's constants ({@link #DESCRIPTOR}'s defaults) with {@code modulators} acting. */
    public static Config of(Set<Modulator> modulators) {
      return DESCRIPTOR.defaults().withModulators(modulators);
    }

    /** This configuration with {@code modulators} acting instead. */
    public Config withModulators(Set<Modulator> modulators) {
      return new Config(
          modulators,
          predictionRate,
          fastRate,
          slowRate,
          dopamineSlope,
          gainSlope,
          trustSlope,
          minGain,
          maxGain);
    }

    /** Whether modulator {@code m} gates. */
    public boolean acts(Modulator m) {
      return modulators.contains(m);
    }

    /** Whether the gate sets the optimizer's rate (dopamine or noradrenaline act). */
    public boolean gatesRate() {
      return acts(Modulator.DOPAMINE) || acts(Modulator.NORADRENALINE);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    /** {@code da}, {@code na}, {@code ach} (on or off), then the constants. */
    @Override
    public Map<String, Double> hyperparameters() {
      Map<String, Double> h = new LinkedHashMap<>();
      for (Modulator m : GATES) {
        h.put(m.shortName(), (double) (acts(m) ? Switch.ON : Switch.OFF).ordinal());
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

    /** The gate with the capabilities its modulators give it (see the class Javadoc). */
    @Override
    public ConsolidationRule attach(Attachment attachment) {
      VariableRegistry variables = attachment.variables();
      List<Parameter> parameters = attachment.parameters();
      boolean trust = acts(Modulator.ACETYLCHOLINE);
      if (!gatesRate()) {
        return new Trust(this, variables, parameters);
      }
      return trust
          ? new RateAndTrust(this, variables, parameters)
          : new Rate(this, variables, parameters);
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private NeuromodulatoryGate(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(config, variables, NAME, parameters);
    checkArgument(!parameters.isEmpty(), "a neuromodulatory gate needs a parameter");
    // state(): L̄, f, u and the flag seen, all with parameter TRACKED.
    StateVariables state = stateVariables();
    Ops init = state.init();
    this.prediction = state.create(TRACKED, "prediction", init.constant(0f));
    this.recent = state.create(TRACKED, "recent", init.constant(0f));
    this.expected = state.create(TRACKED, "expected", init.constant(0f));
    this.seen = state.create(TRACKED, "seen", init.constant(0f));
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

  /** Every proposed step times the gain g of the step's loss. */
  List<Operand<TFloat32>> gatedSteps(StepTransform.Context context) {
    Ops ops = context.tf();
    List<Operand<TFloat32>> steps = context.steps(parameters);
    Operand<TFloat32> g = gain(ops, context.taskLoss());
    List<Operand<TFloat32>> out = new ArrayList<>();
    steps.forEach(step -> out.add(ops.math.mul(step, g)));
    return out;
  }

  /** Acetylcholine's scale of the penalties, 1 + κ_ACh · u, from u before the step. */
  Operand<TFloat32> trust(PenaltyScale.Context context) {
    Ops tf = context.tf();
    return tf.math.add(
        tf.constant(1f), tf.math.mul(tf.constant((float) config.trustSlope()), expected));
  }

  @Override
  public boolean needsAppliedUpdates() {
    return false;
  }

  /** Folds the step's loss into L̄, f and u, after the parameter updates (which read them). */
  @Override
  public List<Op> afterStep(AfterStep.Context step) {
    Operand<TFloat32> loss = step.taskLoss();
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

  /** The gate of dopamine and/or noradrenaline without acetylcholine: it sets the rate. */
  private static class Rate extends NeuromodulatoryGate implements StepTransform {
    Rate(Config config, VariableRegistry variables, List<Parameter> parameters) {
      super(config, variables, parameters);
    }

    @Override
    public List<Operand<TFloat32>> transformSteps(StepTransform.Context context) {
      return gatedSteps(context);
    }
  }

  /** The gate of acetylcholine with dopamine and/or noradrenaline: rate and penalties. */
  private static final class RateAndTrust extends Rate implements PenaltyScale {
    RateAndTrust(Config config, VariableRegistry variables, List<Parameter> parameters) {
      super(config, variables, parameters);
    }

    @Override
    public Operand<TFloat32> penaltyScale(PenaltyScale.Context context) {
      return trust(context);
    }
  }

  /** The gate of acetylcholine alone: it scales the penalties, not the steps. */
  private static final class Trust extends NeuromodulatoryGate implements PenaltyScale {
    Trust(Config config, VariableRegistry variables, List<Parameter> parameters) {
      super(config, variables, parameters);
    }

    @Override
    public Operand<TFloat32> penaltyScale(PenaltyScale.Context context) {
      return trust(context);
    }
  }
}
