package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.metaplastic.ops.StateVariables.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Riemannian Walk, RWalk (Chaudhry, Dokania, Ajanthan &amp; Torr, "Riemannian Walk for Incremental
 * Learning: Understanding Forgetting and Intransigence", ECCV 2018): EWC's quadratic penalty
 * weighted by the sum of two importances measured during training, a Fisher kept as a moving
 * average over every step (EWC++) and SI's path integral divided by the KL-divergence each step
 * caused.
 *
 * <p>After every optimizer step, with g = ∂L_task/∂θ the step's batch gradient and Δθ the update
 * applied:
 *
 * <ul>
 *   <li>eq. (6), EWC++: F ← α g² + (1 − α) F, the empirical Fisher of the batch (the square of its
 *       gradient, as common implementations take it) averaged with rate α;
 *   <li>the score: s ← s − g Δθ / (½ F Δθ² + ε), the loss the step removed (eq. (7), first-order)
 *       over the KL-divergence it cost, ½ F Δθ² in the Fisher metric. The paper sums over intervals
 *       of Δt steps to save time; this rule takes every step (Δt = 1), the finest form of its sum.
 * </ul>
 *
 * <p>At the boundary of task k: the past score averages the task's score with the past ones, s̄ ← s
 * after the first task and s̄ ← ½ (s̄ + s) after later ones; both importances are normalized to [0,
 * 1] by their largest value over every governed parameter (scores rectified first), as the paper
 * suggests, and their sum is the importance w = F / max F + max(s̄, 0) / max max(s̄, 0) (0 where a
 * maximum is 0); the anchor θ* moves to θ, and s restarts at 0. The penalty is eq. (8)'s λ Σ w (θ −
 * θ*)², of gradient 2λ w (θ − θ*): the paper's λ, without EWC's ½.
 *
 * <p>For each governed parameter θ the rule keeps, named {@code rwalk/<parameter>/<state>}: {@code
 * fisher} F, {@code score} s (this task's), {@code past_score} s̄, {@code importance} w and {@code
 * anchor} θ*; and {@code rwalk/score/tasks}, how many task scores s̄ averages. Nothing is estimated
 * from data at a boundary: a model imported from elsewhere has no importance until it trains.
 *
 * <p>Presets ({@link #DESCRIPTOR}): α = 0.9 (Avalanche's default), ε = 10⁻⁷ (about float32's
 * machine epsilon, as reference code takes); λ swept with {@code metaplastic compare}, seed 0, on
 * the README's protocols: split Fashion-MNIST, λ = 1 / 10 / 100 / 1000 / 10⁴: average accuracy
 * 0.9827 / 0.9826 / 0.9873 / 0.9866 / 0.9848 (fine-tuning 0.7967, joint 0.9914), so 100; permuted
 * Fashion-MNIST (10 tasks, 1000-1000 units, 10 epochs), λ = 0.1 / 0.3 / 1 / 10 / 100 / 1000 / 10⁴:
 * 0.5885 / 0.6972 / 0.7251 / 0.6767 / 0.6358 / 0.6580 / 0.5367 (fine-tuning 0.4564, joint 0.8477),
 * so 1.
 */
public final class RiemannianWalk extends AttachedRule<RiemannianWalk.Config>
    implements Penalty, AfterStep, Consolidation {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "rwalk";

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(
              NAME, h -> new Config(h.real("lambda"), h.real("alpha"), h.real("epsilon")))
          .hyperparameter(
              Hyperparameter.real(
                  "lambda",
                  100,
                  "strength lambda of the penalty lambda * sum w (theta - anchor)^2"))
          .hyperparameter(
              Hyperparameter.real(
                  "alpha", 0.9, "rate alpha of the Fisher's moving average, in (0, 1]"))
          .hyperparameter(
              Hyperparameter.real(
                  "epsilon", 1e-7, "damping epsilon of the score's KL-divergence, > 0"))
          .preset(StreamKind.PERMUTED, Map.of("lambda", 1.0))
          .summary(
              "Riemannian Walk",
              "Chaudhry et al. 2018",
              "`fisher` F, `score` s, `past_score` s̄, `importance` w, `anchor` θ*")
          .presetSource(
              "α = 0.9 as in Avalanche; swept λ ∈ {1, 10, 100, 1000, 10⁴} on split and {0.1, 0.3,"
                  + " 1, 10, 100, 1000, 10⁴} on permuted streams")
          .build();

  private final List<Variable<TFloat32>> fishers;
  private final List<Variable<TFloat32>> scores;
  private final List<Variable<TFloat32>> pastScores;
  private final List<Variable<TFloat32>> importances;
  private final List<Variable<TFloat32>> anchors;
  private final Variable<TFloat32> tasks;

  /**
   * Hyperparameters of RWalk.
   *
   * @param lambda strength λ of the penalty λ Σ w (θ − θ*)², finite and ≥ 0
   * @param alpha rate α of the Fisher's moving average, in (0, 1]
   * @param epsilon damping ε of the score's denominator, finite and &gt; 0
   */
  public record Config(double lambda, double alpha, double epsilon) implements RuleConfig {
    public Config {
      checkArgument(
          lambda >= 0 && Double.isFinite(lambda),
          "RWalk strength lambda must be finite and >= 0, got %s",
          lambda);
      checkArgument(alpha > 0 && alpha <= 1, "RWalk rate alpha must be in (0, 1], got %s", alpha);
      checkArgument(
          epsilon > 0 && Double.isFinite(epsilon),
          "RWalk damping epsilon must be finite and > 0, got %s",
          epsilon);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("lambda", lambda, "alpha", alpha, "epsilon", epsilon);
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new RiemannianWalk(this, attachment.variables(), attachment.parameters());
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private RiemannianWalk(Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(config, variables, NAME, parameters);
    checkArgument(!parameters.isEmpty(), "Riemannian Walk needs at least one parameter");
    StateVariables state = stateVariables();
    List<List<Variable<TFloat32>>> created =
        state.perParameter(
            parameters,
            Slot.zeros("fisher"),
            Slot.zeros("score"),
            Slot.zeros("past_score"),
            Slot.zeros("importance"),
            Slot.initialValue("anchor"));
    this.fishers = created.get(0);
    this.scores = created.get(1);
    this.pastScores = created.get(2);
    this.importances = created.get(3);
    this.anchors = created.get(4);
    this.tasks = state.create("score", "tasks", state.init().constant(0f));
  }

  /** Eq. (6), EWC++: F ← α g² + (1 − α) F. */
  static Operand<TFloat32> movingFisher(
      Ops tf, Operand<TFloat32> fisher, Operand<TFloat32> gradient, float alpha) {
    return tf.math.add(
        tf.math.mul(tf.constant(alpha), tf.math.square(gradient)),
        tf.math.mul(tf.constant(1 - alpha), fisher));
  }

  /**
   * The score of one step: −g Δθ / (½ F Δθ² + ε), eq. (7)'s first-order loss change over the
   * KL-divergence of the step in the Fisher metric.
   */
  static Operand<TFloat32> stepScore(
      Ops tf,
      Operand<TFloat32> gradient,
      Operand<TFloat32> update,
      Operand<TFloat32> fisher,
      float epsilon) {
    Operand<TFloat32> divergence =
        tf.math.mul(tf.constant(0.5f), tf.math.mul(fisher, tf.math.square(update)));
    return tf.math.div(
        tf.math.neg(tf.math.mul(gradient, update)), tf.math.add(divergence, tf.constant(epsilon)));
  }

  /**
   * The past score after a boundary: s̄ ← s after the first task, ½ (s̄ + s) after later ones;
   * {@code tasks} is how many task scores s̄ averages so far.
   */
  static Operand<TFloat32> averagedScore(
      Ops tf, Operand<TFloat32> pastScore, Operand<TFloat32> score, Operand<TFloat32> tasks) {
    Operand<TFloat32> keep =
        tf.math.mul(tf.constant(0.5f), tf.math.minimum(tasks, tf.constant(1f)));
    return tf.math.add(
        tf.math.mul(keep, pastScore), tf.math.mul(tf.math.sub(tf.constant(1f), keep), score));
  }

  /**
   * {@code x / max}, with 0 where the largest value {@code max} is 0: the paper's [0, 1] scaling.
   */
  static Operand<TFloat32> normalized(Ops tf, Operand<TFloat32> x, Operand<TFloat32> max) {
    return tf.math.divNoNan(x, max);
  }

  /** The largest element over every operand of {@code xs}, a scalar. */
  private static Operand<TFloat32> largest(Ops tf, List<? extends Operand<TFloat32>> xs) {
    List<Operand<TFloat32>> maxima = new ArrayList<>();
    for (Operand<TFloat32> x : xs) {
      maxima.add(tf.reduceMax(x, Reductions.allAxes(tf, x)));
    }
    return tf.reduceMax(tf.stack(maxima), tf.constant(0));
  }

  /** Eq. (8): λ Σ w (θ − θ*)², of gradient 2λ w (θ − θ*): the quadratic penalty with 2λ. */
  @Override
  public Term penalty(Penalty.Context context) {
    float twiceLambda = (float) (2 * config.lambda());
    return QuadraticPenalty.term(context.tf(), parameters, importances, anchors, twiceLambda);
  }

  @Override
  public boolean needsAppliedUpdates() {
    return true;
  }

  /** Eq. (6), then the step's score with the Fisher just updated, for every governed parameter. */
  @Override
  public List<Op> afterStep(AfterStep.Context step) {
    Ops tf = step.tf();
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Operand<TFloat32> gradient = step.taskGradients().get(i);
      Operand<TFloat32> fisher = movingFisher(tf, fishers.get(i), gradient, (float) config.alpha());
      ops.add(tf.assign(fishers.get(i), fisher));
      ops.add(
          tf.assignAdd(
              scores.get(i),
              stepScore(
                  tf, gradient, step.appliedUpdates().get(i), fisher, (float) config.epsilon())));
    }
    return ops;
  }

  /** s̄ ← averaged, w ← F / max F + s̄⁺ / max s̄⁺, θ* ← θ; then s ← 0 and one more task. */
  @Override
  public List<Op> consolidate(Consolidation.Context context) {
    Ops tf = context.tf();
    List<Operand<TFloat32>> averaged = new ArrayList<>();
    List<Operand<TFloat32>> rectified = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Operand<TFloat32> past = averagedScore(tf, pastScores.get(i), scores.get(i), tasks);
      averaged.add(past);
      rectified.add(tf.nn.relu(past));
    }
    Operand<TFloat32> maxFisher = largest(tf, fishers);
    Operand<TFloat32> maxScore = largest(tf, rectified);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Operand<TFloat32> importance =
          tf.math.add(
              normalized(tf, fishers.get(i), maxFisher),
              normalized(tf, rectified.get(i), maxScore));
      updates.add(tf.assign(importances.get(i), importance));
      updates.add(tf.assign(pastScores.get(i), averaged.get(i)));
      updates.add(tf.assign(anchors.get(i), parameters.get(i).variable()));
    }
    Ops after = tf.withControlDependencies(updates);
    List<Op> ops = new ArrayList<>(updates);
    for (Variable<TFloat32> score : scores) {
      ops.add(after.assign(score, after.zerosLike(score)));
    }
    ops.add(after.assignAdd(tasks, after.constant(1f)));
    return ops;
  }
}
