package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import dev.metaplastic.ops.StateVariables.Slot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Elastic Weight Consolidation (Kirkpatrick et al., "Overcoming catastrophic forgetting in neural
 * networks", PNAS 2017).
 *
 * <p>At the end of each task t the rule estimates the diagonal of the Fisher information F_t at the
 * weights θ*_t reached, and from then on adds eq. (3) of the paper for every past task: λ/2 · Σ_t
 * Σ_i F_t,i (θ_i − θ*_t,i)². (The paper writes eq. (3) for two tasks and says that for more tasks
 * one keeps one such term per past task.)
 *
 * <p><b>Which Fisher.</b> The Fisher is the <em>true</em> (sampled) Fisher of the model's
 * predictive distribution, not the empirical Fisher: for each example x the label is drawn from the
 * model's own softmax, y ~ p(·|x), with a stateless random op seeded by the trainer, and F_t =
 * E_x[(∂ log p(y|x)/∂θ)²] is the mean over the examples of the squared per-example gradients. The
 * empirical Fisher would use the data's labels instead.
 *
 * <p><b>One running sum.</b> Keeping one (F_t, θ*_t) pair per task would make memory grow with the
 * number of tasks. The sum of quadratics is itself a quadratic, so the rule keeps, for each
 * governed parameter θ, named {@code ewc/<parameter>/<state>}:
 *
 * <ul>
 *   <li>{@code fisher} F = Σ_t F_t, the summed Fisher of past tasks;
 *   <li>{@code anchor} θ̄ = (Σ_t F_t θ*_t) / F, the Fisher-weighted mean of past anchors (θ where F
 *       = 0);
 *   <li>{@code residual} r = Σ_t F_t θ*_t² − F θ̄², a constant per synapse (≥ 0);
 *   <li>{@code fisher_estimate}: the Fisher of the current task, accumulated example by example at
 *       a task boundary and folded into the three above by {@link #consolidate}.
 * </ul>
 *
 * <p>Then λ/2 · Σ [F (θ − θ̄)² + r] equals the multi-task sum above exactly, and its gradient is λ
 * F (θ − θ̄). The residual does not change the gradient; it is kept so that the penalty the trainer
 * reports is the paper's.
 *
 * <p>Presets ({@link #DESCRIPTOR}): λ = 1000 on split streams, 100 on permuted streams (λ ∈ {100,
 * 1000, 10⁴} swept with {@code metaplastic compare}; the README gives the runs), the Fisher from
 * 1024 examples.
 */
public final class ElasticWeightConsolidation
    extends AttachedRule<ElasticWeightConsolidation.Config>
    implements Penalty, ConsolidationFromData, Rebase {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "ewc";

  /** Examples per task boundary when none is given: 1024. */
  public static final int DEFAULT_SAMPLES = 1024;

  /** What λ of EWC, online EWC and MAS means, for their descriptors. */
  static final String LAMBDA = "strength lambda of the quadratic penalty, finite and >= 0";

  /** What the samples of EWC and online EWC mean, for their descriptors. */
  static final String FISHER_SAMPLES =
      "examples of each task whose Fisher is estimated at its boundary, >= 1";

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(NAME, h -> new Config(h.real("lambda"), h.whole("samples")))
          .hyperparameter(Hyperparameter.real("lambda", 1000, LAMBDA))
          .hyperparameter(Hyperparameter.whole("samples", DEFAULT_SAMPLES, FISHER_SAMPLES))
          .preset(StreamKind.PERMUTED, Map.of("lambda", 100.0))
          .summary(
              "Elastic Weight Consolidation",
              "Kirkpatrick et al. 2017",
              "`fisher`, `anchor`, `residual`, `fisher_estimate`")
          .presetSource("swept; Fisher from 1024 examples")
          .build();

  private final List<Variable<TFloat32>> fishers;
  private final List<Variable<TFloat32>> anchors;
  private final List<Variable<TFloat32>> residuals;
  private final List<Variable<TFloat32>> estimates;

  /**
   * Hyperparameters of EWC.
   *
   * @param lambda strength λ of the penalty λ/2 · Σ F (θ − θ*)², finite and ≥ 0
   * @param samples examples of each task's training set whose Fisher is estimated, ≥ 1
   */
  public record Config(double lambda, int samples) implements RuleConfig {
    public Config {
      checkArgument(
          lambda >= 0 && Double.isFinite(lambda),
          "EWC strength lambda must be finite and >= 0, got %s",
          lambda);
      checkArgument(samples >= 1, "EWC samples must be >= 1, got %s", samples);
    }

    /** Strength {@code lambda} with {@link #DEFAULT_SAMPLES} examples per boundary. */
    public Config(double lambda) {
      this(lambda, DEFAULT_SAMPLES);
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("lambda", lambda, "samples", (double) samples);
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new ElasticWeightConsolidation(this, attachment.variables(), attachment.parameters());
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private ElasticWeightConsolidation(
      Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(config, variables, NAME, parameters);
    checkArgument(!parameters.isEmpty(), "EWC needs at least one parameter");
    StateVariables state = stateVariables();
    List<List<Variable<TFloat32>>> created =
        state.perParameter(
            parameters,
            Slot.zeros("fisher"),
            Slot.initialValue("anchor"),
            Slot.zeros("residual"),
            Slot.zeros("fisher_estimate"));
    this.fishers = created.get(0);
    this.anchors = created.get(1);
    this.residuals = created.get(2);
    this.estimates = created.get(3);
  }

  /**
   * The label y ~ p(·|x) = softmax(logits) of each row, drawn with a stateless multinomial seeded
   * by {@code seed}: the same logits and seed give the same labels. Shape [rows].
   */
  static Operand<TInt64> sampleLabels(Ops tf, Operand<TFloat32> logits, Operand<TInt64> seed) {
    Operand<TInt64> drawn = tf.random.statelessMultinomial(logits, tf.constant(1), seed);
    return tf.reshape(drawn, tf.constant(new int[] {-1}));
  }

  /**
   * The Fisher objective of one example, log p(y|x) with y drawn from the model's softmax (see
   * {@link #sampleLabels}); the square of its gradient is the example's contribution to the
   * diagonal Fisher F = E_x E_{y~p(·|x)}[(∂ log p(y|x)/∂θ)²]. The drawn label is held fixed: no
   * gradient flows through the sampling.
   */
  static Operand<TFloat32> logLikelihoodOfSampledLabel(
      Ops tf, Operand<TFloat32> logits, Operand<TInt64> seed) {
    return logLikelihood(tf, logits, sampleLabels(tf, logits, seed));
  }

  /**
   * Σ_i log p(y_i|x_i) over a batch's rows, each label drawn as {@link
   * #logLikelihoodOfSampledLabel} draws it for that example alone: from the row's logits with the
   * row's own seed, by one stateless multinomial per row, so that a batch gives the labels, and the
   * estimate, of its examples fed one at a time.
   *
   * @param logits [N, classes]
   * @param seeds [N, 2], N static
   */
  static Operand<TFloat32> logLikelihoodsOfSampledLabels(
      Ops tf, Operand<TFloat32> logits, Operand<TInt64> seeds) {
    int rows = Math.toIntExact(seeds.shape().get(0));
    checkArgument(rows > 0, "the batch objective needs a static number of seeds, got %s", rows);
    // One op splits the rows and one the seeds, so the graph grows by one multinomial per row.
    List<Output<TFloat32>> rowLogits = tf.split(tf.constant(0), logits, (long) rows).output();
    List<Output<TInt64>> rowSeeds = tf.unstack(seeds, (long) rows).output();
    Operand<TInt32> one = tf.constant(1);
    List<Operand<TInt64>> labels = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      labels.add(tf.random.statelessMultinomial(rowLogits.get(i), one, rowSeeds.get(i)));
    }
    return logLikelihood(
        tf, logits, tf.reshape(tf.concat(labels, tf.constant(0)), tf.constant(new int[] {-1})));
  }

  /** Σ_i log softmax(logits_i)[y_i] for labels y [rows], held fixed: no gradient reaches them. */
  private static Operand<TFloat32> logLikelihood(
      Ops tf, Operand<TFloat32> logits, Operand<TInt64> labels) {
    Operand<TInt32> classes =
        tf.reshape(
            tf.slice(tf.shape(logits), tf.constant(new int[] {1}), tf.constant(new int[] {1})),
            tf.constant(new int[0]));
    Operand<TFloat32> oneHot =
        tf.stopGradient(tf.oneHot(labels, classes, tf.constant(1f), tf.constant(0f)));
    return Reductions.sumAll(tf, tf.math.mul(oneHot, tf.nn.logSoftmax(logits)));
  }

  /**
   * Folds the Fisher F_t of the task just learned, at its final weights θ*_t = θ, into the running
   * sum (eq. (3) summed over tasks), in a form that cancels nothing:
   *
   * <ul>
   *   <li>F' = F + F_t;
   *   <li>θ̄' = θ̄ + (F_t / F') (θ − θ̄), which is (F θ̄ + F_t θ) / F'; θ where F' = 0;
   *   <li>r' = r + (F F_t / F') (θ − θ̄)², which is Σ F_t θ*_t² − F' θ̄'²; r where F' = 0.
   * </ul>
   *
   * @return F', θ̄' and r', in that order
   */
  static List<Operand<TFloat32>> foldedSum(
      Ops tf,
      Operand<TFloat32> fisher,
      Operand<TFloat32> anchor,
      Operand<TFloat32> residual,
      Operand<TFloat32> taskFisher,
      Operand<TFloat32> theta) {
    Operand<TFloat32> summed = tf.math.add(fisher, taskFisher);
    Operand<TBool> positive = tf.math.greater(summed, tf.constant(0f));
    Operand<TFloat32> safe = tf.select(positive, summed, tf.onesLike(summed));
    Operand<TFloat32> shift = tf.math.sub(theta, anchor);
    Operand<TFloat32> share = tf.math.div(taskFisher, safe);
    Operand<TFloat32> newAnchor =
        tf.select(positive, tf.math.add(anchor, tf.math.mul(share, shift)), theta);
    Operand<TFloat32> added = tf.math.mul(tf.math.mul(fisher, share), tf.math.square(shift));
    Operand<TFloat32> newResidual = tf.select(positive, tf.math.add(residual, added), residual);
    return List.of(summed, newAnchor, newResidual);
  }

  /**
   * λ/2 · Σ [F (θ − θ̄)² + r] and its gradient λ F (θ − θ̄): eq. (3) summed over past tasks, Σ_t
   * Σ_i F_t,i (θ_i − θ*_t,i)², in its running-sum form.
   */
  @Override
  public Term penalty(Penalty.Context context) {
    Ops tf = context.tf();
    List<Operand<TFloat32>> terms = new ArrayList<>();
    List<Operand<TFloat32>> gradients = new ArrayList<>();
    float lambda = (float) config.lambda();
    for (int i = 0; i < parameters.size(); i++) {
      QuadraticPenalty.Part part =
          QuadraticPenalty.Part.of(
              tf, fishers.get(i), parameters.get(i).variable(), anchors.get(i), lambda);
      terms.add(tf.math.add(part.weightedSquares(), Reductions.sumAll(tf, residuals.get(i))));
      gradients.add(part.gradient());
    }
    return new Term(QuadraticPenalty.total(tf, terms, lambda), gradients);
  }

  @Override
  public BatchEstimator estimator() {
    return new PerExampleEstimate(
        config.samples(),
        PerExampleEstimate.Signal.SQUARED,
        ElasticWeightConsolidation::logLikelihoodOfSampledLabel,
        ElasticWeightConsolidation::logLikelihoodsOfSampledLabels,
        estimates);
  }

  /** F ← F + F_t, θ̄ and r updated (see {@link #foldedSum}), then F_t ← 0. */
  @Override
  public List<Op> consolidate(Consolidation.Context context) {
    Ops tf = context.tf();
    List<Op> folds = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      List<Operand<TFloat32>> folded =
          foldedSum(
              tf,
              fishers.get(i),
              anchors.get(i),
              residuals.get(i),
              estimates.get(i),
              parameters.get(i).variable());
      // Every new value is computed before any variable is assigned.
      Ops after = tf.withControlDependencies(new ArrayList<Op>(folded));
      folds.add(after.assign(fishers.get(i), folded.get(0)));
      folds.add(after.assign(anchors.get(i), folded.get(1)));
      folds.add(after.assign(residuals.get(i), folded.get(2)));
    }
    List<Op> ops = new ArrayList<>(folds);
    ops.addAll(PerExampleEstimate.clear(tf.withControlDependencies(folds), estimates));
    return ops;
  }

  /**
   * Clears the Fisher estimate in progress (it was measured at other weights). The summed Fisher,
   * anchor and residual are what past tasks consolidated, and EWC keeps no other bookkeeping of the
   * current task, so they stay: the penalty keeps pulling toward the past tasks' weights.
   */
  @Override
  public List<Op> rebase(Rebase.Context context) {
    return PerExampleEstimate.clear(context.tf(), estimates);
  }
}
