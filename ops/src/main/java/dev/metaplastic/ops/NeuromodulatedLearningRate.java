package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A noradrenaline-like learning-rate gate on the optimizer: the step of every parameter is
 * multiplied by a gain that rises when the task loss is surprisingly high, for example right after
 * a task switch, and returns to its floor as the loss settles.
 *
 * <p>With L the task loss of the step's batch and L̄ a running average of past losses:
 *
 * <pre>
 *   s = (L − L̄) / (L̄ + ε)                       relative surprise, ε = {@value #EPSILON}
 *   g = clip(1 + κ·s, g_min, g_max)              the gain ({@link #gain})
 *   θ ← θ − g · step                             step: what the optimizer proposes
 *   L̄ ← L̄ + β (L − L̄)                          after the step ({@link Neuromodulation#baselineUpdate})
 * </pre>
 *
 * At the first step there is no baseline yet: g = 1 and L̄ ← L. The gain is our form (as {@link
 * Neuromodulation#gain}, with a floor g_min that may lie below 1 to slow learning when the loss is
 * lower than expected), after the adaptive-gain and unexpected-uncertainty accounts of
 * noradrenaline (Aston-Jones &amp; Cohen 2005; Yu &amp; Dayan 2005), not an equation of those
 * papers; the baseline is the Rescorla–Wagner running average of the dopamine-like gate in {@link
 * Neuromodulation}.
 *
 * <p>State, not tied to one parameter (the second segment names the quantity tracked): {@code
 * neuromod_lr/task_loss/baseline} L̄ and {@code neuromod_lr/task_loss/seen} (0 before the first
 * step, then 1). Nothing happens at a task boundary (the rule is no {@link Consolidation}): the
 * baseline keeps running, so that the new task's first losses are the surprise. No penalty.
 *
 * <p>The gate is a {@link StepTransform}, and a graph takes at most one rule that transforms steps:
 * it cannot be combined with {@link Metaplasticity} or {@link BennaFusiSynapse} in one graph
 * (penalty rules such as SI or EWC are fine). With Adam the optimizer then computes its step
 * explicitly; the gain multiplies the step after Adam's normalisation, so it acts as a
 * learning-rate factor, not on the moments.
 *
 * <p>Presets ({@link #DESCRIPTOR}): κ = 1, β = 0.05, g ∈ [1, 3] on every stream; ours, not swept.
 */
public final class NeuromodulatedLearningRate
    extends AttachedRule<NeuromodulatedLearningRate.Config> implements StepTransform, AfterStep {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "neuromod_lr";

  /** The second segment of the state names: the quantity the state tracks. */
  public static final String TRACKED = "task_loss";

  /** ε of the relative surprise, which keeps it finite when the baseline is near zero. */
  public static final double EPSILON = 1e-6;

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(
              NAME,
              h ->
                  new Config(
                      h.real("kappa"),
                      h.real("baseline_rate"),
                      h.real("min_gain"),
                      h.real("max_gain")))
          .hyperparameter(
              Hyperparameter.real(
                  "kappa", 1.0, "gain kappa per unit of relative loss surprise, finite and >= 0"))
          .hyperparameter(
              Hyperparameter.real(
                  "baseline_rate", 0.05, "rate beta of the running loss baseline, in (0, 1]"))
          .hyperparameter(Hyperparameter.real("min_gain", 1.0, "lowest gain, > 0"))
          .hyperparameter(
              Hyperparameter.real("max_gain", 3.0, "highest gain, finite and >= min_gain"))
          .summary(
              "neuromodulated learning rate",
              "ours, after noradrenaline's adaptive gain",
              "`baseline` L̄, `seen` (one pair per graph)")
          .presetSource("ours, not yet swept")
          .build();

  private final Variable<TFloat32> baseline;
  private final Variable<TFloat32> seen;

  /**
   * Hyperparameters of the neuromodulated learning rate.
   *
   * @param kappa κ, gain per unit of relative surprise, ≥ 0 and finite (0 turns the gate off)
   * @param baselineRate β of the running average L̄, in (0, 1]
   * @param minGain g_min, &gt; 0 and ≤ g_max
   * @param maxGain g_max, finite
   */
  public record Config(double kappa, double baselineRate, double minGain, double maxGain)
      implements RuleConfig {
    /** Our untuned default: κ = 1, β = 0.05 (about 20 steps of memory), g ∈ [1, 3]. */
    public static final Config DEFAULT = DESCRIPTOR.defaults();

    public Config {
      checkArgument(
          kappa >= 0 && Double.isFinite(kappa), "kappa must be finite and >= 0, got %s", kappa);
      checkArgument(
          baselineRate > 0 && baselineRate <= 1,
          "baseline_rate must be in (0, 1], got %s",
          baselineRate);
      checkArgument(minGain > 0, "min_gain must be > 0, got %s", minGain);
      checkArgument(
          Double.isFinite(maxGain) && maxGain >= minGain,
          "max_gain must be finite and >= min_gain %s, got %s",
          minGain,
          maxGain);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of(
          "kappa", kappa, "baseline_rate", baselineRate, "min_gain", minGain, "max_gain", maxGain);
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new NeuromodulatedLearningRate(this, attachment.variables(), attachment.parameters());
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private NeuromodulatedLearningRate(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(config, variables, NAME, parameters);
    checkArgument(!parameters.isEmpty(), "a neuromodulated learning rate needs a parameter");
    // state(): the baseline L̄, then the flag seen, both with parameter TRACKED.
    StateVariables state = stateVariables();
    Ops init = state.init();
    this.baseline = state.create(TRACKED, "baseline", init.constant(0f));
    this.seen = state.create(TRACKED, "seen", init.constant(0f));
  }

  /**
   * The gain g = clip(1 + κ·(L − L̄)/(L̄ + ε), g_min, g_max) once a baseline exists ({@code seen}
   * &gt; 0), else 1.
   *
   * @param loss L, a scalar
   * @param baseline L̄, a scalar
   * @param seen 0 before the first step, 1 after
   */
  static Operand<TFloat32> gain(
      Ops tf,
      Operand<TFloat32> loss,
      Operand<TFloat32> baseline,
      Operand<TFloat32> seen,
      Config config) {
    Operand<TFloat32> surprise =
        tf.math.div(
            tf.math.sub(loss, baseline), tf.math.add(baseline, tf.constant((float) EPSILON)));
    Operand<TFloat32> linear =
        tf.math.add(tf.constant(1f), tf.math.mul(tf.constant((float) config.kappa()), surprise));
    Operand<TFloat32> clipped =
        tf.math.minimum(
            tf.math.maximum(linear, tf.constant((float) config.minGain())),
            tf.constant((float) config.maxGain()));
    return tf.select(tf.math.greater(seen, tf.constant(0f)), clipped, tf.constant(1f));
  }

  /** L̄ ← L̄ + β(L − L̄) once a baseline exists, else L̄ ← L. */
  static Operand<TFloat32> nextBaseline(
      Ops tf,
      Operand<TFloat32> loss,
      Operand<TFloat32> baseline,
      Operand<TFloat32> seen,
      float beta) {
    return tf.select(
        tf.math.greater(seen, tf.constant(0f)),
        Neuromodulation.baselineUpdate(tf, baseline, loss, beta),
        loss);
  }

  /** Every step times the gain of this step's loss, read against the baseline before the step. */
  @Override
  public List<Operand<TFloat32>> transformSteps(StepTransform.Context context) {
    Ops ops = context.tf();
    List<Operand<TFloat32>> steps = context.steps(parameters);
    Operand<TFloat32> g = gain(ops, context.taskLoss(), baseline, seen, config);
    List<Operand<TFloat32>> out = new ArrayList<>();
    steps.forEach(step -> out.add(ops.math.mul(step, g)));
    return out;
  }

  @Override
  public boolean needsAppliedUpdates() {
    return false;
  }

  /**
   * Folds the step's loss into the baseline. Runs after the parameter updates, which wait for the
   * gain, so the gain always read the baseline from before this step.
   */
  @Override
  public List<Op> afterStep(AfterStep.Context step) {
    Operand<TFloat32> loss = step.taskLoss();
    Ops after = step.tf();
    Operand<TFloat32> next =
        nextBaseline(after, loss, baseline, seen, (float) config.baselineRate());
    Op fold = after.assign(baseline, next);
    // The flag changes only once the new baseline, which reads it, is written.
    Op mark = after.withControlDependencies(List.of(fold)).assign(seen, after.constant(1f));
    return List.of(fold, mark);
  }
}
