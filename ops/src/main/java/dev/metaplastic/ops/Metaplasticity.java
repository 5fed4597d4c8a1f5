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
 * Metaplasticity of hidden weights (Laborieux, Ernoult, Hirtzlin &amp; Querlioz, "Synaptic
 * metaplasticity in binarized neural networks", Nature Communications 12, 2549, 2021).
 *
 * <p>The optimizer proposes θ ← θ − step. For every weight matrix (parameters of rank ≥ 2; biases
 * and batch-normalization parameters pass through unchanged, as in the paper, whose optimizer skips
 * one-dimensional parameters), this rule multiplies the step of each synapse by the metaplasticity
 * function f_meta = 1 − tanh²(m·W) when the update moves it in the protected direction, and leaves
 * it unchanged otherwise. W is the synapse's value relative to a {@linkplain Reference reference}:
 *
 * <ul>
 *   <li>{@link Reference#ZERO}, the paper's rule: W = θ is the hidden weight W_h of a binarized
 *       network, whose sign is the binary weight used in the forward pass. Updates that push W_h
 *       toward zero, i.e. toward flipping the binary weight (sign(step) = sign(W_h)), are
 *       attenuated by f_meta(m·W_h); updates that grow |W_h| are not. A hidden weight that learning
 *       kept pushing the same way grows large and its binary weight becomes ever harder to flip:
 *       its magnitude is its importance. This is the paper's Algorithm 1 (the "Adam with
 *       metaplasticity" optimizer); its reference code applies f_meta to Adam's first moment, which
 *       is the same as scaling the step, since the step is that moment over a positive denominator.
 *       The rule keeps no state and needs no task boundary.
 *   <li>{@link Reference#ANCHOR}, an extension of ours for real-valued networks, not in the paper:
 *       W = θ − θ* where θ* ({@code meta/<parameter>/anchor}) is θ at the last task boundary.
 *       Updates that move the synapse further <em>away</em> from θ* (sign(step) = −sign(W)) are
 *       attenuated by f_meta(m·W); updates back toward θ* are not.
 * </ul>
 *
 * <p><b>Why ANCHOR attenuates moves away from the anchor.</b> In a binarized network only the sign
 * of W_h reaches the output, so moving W_h away from zero changes nothing that past tasks rely on,
 * and the dangerous move is toward zero. In a real-valued network every change of θ changes the
 * function past tasks were learned with, and the value past tasks left, θ*, plays the role zero
 * plays for a binary weight's sign. Applying the paper's direction around θ* (attenuating moves
 * back toward θ*) would make drift away from the old solution easy and the return to it hard, which
 * helps the new task and harms the old ones; applying it around zero (the paper's ZERO rule on a
 * real network) only slows shrinking weights, whatever they mean to past tasks: the paper states
 * that metaplastic behaviours do not transfer directly to real-valued deep networks and runs its
 * rule on a full-precision network only as a control (its Fig. 2f). Attenuating moves away from θ*
 * instead makes each synapse a soft-bounded one: it moves freely near where past tasks left it,
 * ever more slowly the further it has drifted (at a distance d the step shrinks by 1 − tanh²(m·d),
 * so the drift grows only logarithmically with the pressure of the new task), and it can always
 * return. Before the first boundary no task has been consolidated, so a per-parameter scalar {@code
 * meta/<parameter>/consolidated} (0 until the first {@link #consolidate}, then 1) sets W to 0 and
 * the rule leaves learning untouched. {@link #rebase} moves the anchor to the current θ and keeps
 * the flag. Unlike the BNN rule, the anchor variant weighs every synapse alike: it protects old
 * tasks by bounding how far any weight drifts, not by knowing which weights matter.
 *
 * <p>The values of m the paper uses (from the reference code's run commands, all with Adam at
 * learning rate 0.005 and weight decay 10⁻⁷ or 10⁻⁸): m = 1.35 for six permuted-MNIST tasks with
 * 4096-4096 hidden layers ({@link Config#PAPER_PERMUTED}), m = 1.5 for MNIST then Fashion-MNIST
 * ({@link Config#PAPER_SEQUENTIAL_DATASETS}); 1.2 for MNIST then USPS, 1.8 and 1.3 for CIFAR
 * features, 2.5 for stream-learning Fashion-MNIST.
 *
 * <p>Presets ({@link #DESCRIPTOR}), on every stream: m = 30 on the distance from the anchor in a
 * real-valued network (m ∈ {1.35, 10, 30, 100} swept on split Fashion-MNIST: distances from the
 * anchor are a few hundredths), and m = 20 on the hidden weights of a binarized network, not the
 * paper's 1.35: the paper trains 12,000 steps per task and its hidden weights grow far larger than
 * in our 800 (m ∈ {1.35, 5, 20} swept on permuted-task streams).
 */
public final class Metaplasticity extends AttachedRule<Metaplasticity.Config>
    implements StepTransform, Consolidation, Rebase {
  /** Name of the rule, the first segment of its state variables. */
  public static final String NAME = "meta";

  /** The rule's hyperparameters and presets. */
  public static final RuleDescriptor<Config> DESCRIPTOR =
      RuleDescriptor.builder(
              NAME, h -> new Config(h.real("m"), h.choice("reference", Reference.class)))
          .hyperparameter(
              Hyperparameter.real("m", 30, "meta strength m, finite and >= 0").withAlias("meta"))
          .hyperparameter(
              Hyperparameter.choice(
                  "reference",
                  Reference.ANCHOR,
                  "what a synapse's value is measured from: zero (the hidden weights of a"
                      + " binarized network) or anchor (the last boundary's weights)"))
          .binarizedPreset(Map.of("m", 20.0, "reference", (double) Reference.ZERO.ordinal()))
          .summary(
              "metaplasticity",
              "Laborieux et al. 2021",
              "`anchor` θ*, `consolidated` (anchor reference only)")
          .presetSource(
              "m on the distance from the anchor, or on the hidden weights of a `--binarized`"
                  + " network; the paper's 1.35 is for 12,000 steps per task, ours train about"
                  + " 800; swept")
          .build();

  private final List<Boolean> governed = new ArrayList<>();
  private final List<Variable<TFloat32>> anchors = new ArrayList<>();
  private final List<Variable<TFloat32>> consolidatedFlags = new ArrayList<>();

  /** What the synapse's value W is measured from. */
  public enum Reference {
    /** W = θ: the paper's rule, for the hidden weights of a binarized network. */
    ZERO,
    /**
     * W = θ − θ*, with θ* the value at the last task boundary: our extension for real-valued
     * networks, which attenuates moves away from θ*.
     */
    ANCHOR
  }

  /**
   * Hyperparameters of metaplasticity.
   *
   * @param m meta strength, the paper's m, ≥ 0 and finite; 0 leaves every step unchanged
   * @param reference what W is measured from
   */
  public record Config(double m, Reference reference) implements RuleConfig {
    /** The paper's setting for permuted MNIST (its Fig. 2d): m = 1.35 on hidden weights. */
    public static final Config PAPER_PERMUTED = new Config(1.35, Reference.ZERO);

    /** The paper's setting for two different datasets in a row (MNIST then Fashion-MNIST). */
    public static final Config PAPER_SEQUENTIAL_DATASETS = new Config(1.5, Reference.ZERO);

    public Config {
      checkArgument(
          m >= 0 && Double.isFinite(m), "metaplasticity m must be finite and >= 0, got %s", m);
      checkArgument(reference != null, "metaplasticity reference must be given");
    }

    @Override
    public RuleDescriptor<Config> descriptor() {
      return DESCRIPTOR;
    }

    @Override
    public Map<String, Double> hyperparameters() {
      return ImmutableMap.of("m", m, "reference", (double) reference.ordinal());
    }

    @Override
    public ConsolidationRule attach(Attachment attachment) {
      return new Metaplasticity(this, attachment.variables(), attachment.parameters());
    }

    @Override
    public String toString() {
      return describe();
    }
  }

  private Metaplasticity(Config config, VariableRegistry variables, List<Parameter> parameters) {
    super(config, variables, NAME, parameters);
    checkArgument(!parameters.isEmpty(), "metaplasticity needs at least one parameter");
    StateVariables state = stateVariables();
    Ops init = state.init();
    for (Parameter p : parameters) {
      boolean weightMatrix = p.shape().numDimensions() >= 2;
      governed.add(weightMatrix);
      if (weightMatrix && config.reference() == Reference.ANCHOR) {
        anchors.add(state.create(p.name(), "anchor", p.initialValue()));
        consolidatedFlags.add(state.create(p.name(), "consolidated", init.constant(0f)));
      } else {
        anchors.add(null);
        consolidatedFlags.add(null);
      }
    }
  }

  /**
   * The metaplasticity function of the paper, f_meta(m, W) = 1 − tanh²(m·W): 1 at W = 0, falling to
   * 0 as |W| grows (the paper writes it with |W_h|; tanh² is even).
   */
  static Operand<TFloat32> metaFactor(Ops tf, Operand<TFloat32> w, float m) {
    Operand<TFloat32> t = tf.math.tanh(tf.math.mul(tf.constant(m), w));
    return tf.math.sub(tf.constant(1f), tf.math.square(t));
  }

  /**
   * The paper's update (Algorithm 1): a step that pushes the hidden weight W toward zero,
   * sign(step) = sign(W) with W ≠ 0, is multiplied by f_meta(m·W); any other step is applied
   * unchanged. With θ ← θ − step this is W ← W − f_meta·step if step·W &gt; 0, else W ← W − step.
   */
  static Operand<TFloat32> towardZeroAttenuated(
      Ops tf, Operand<TFloat32> step, Operand<TFloat32> w, float m) {
    Operand<TFloat32> attenuated = tf.math.mul(step, metaFactor(tf, w, m));
    return tf.select(tf.math.greater(tf.math.mul(step, w), tf.constant(0f)), attenuated, step);
  }

  /**
   * Our anchor variant for real-valued networks: with W = θ − θ*, a step that moves θ further away
   * from θ*, sign(step) = −sign(W) with W ≠ 0, is multiplied by f_meta(m·W); a step back toward θ*
   * is applied unchanged: W ← W − f_meta·step if step·W &lt; 0, else W ← W − step.
   */
  static Operand<TFloat32> awayFromAnchorAttenuated(
      Ops tf, Operand<TFloat32> step, Operand<TFloat32> w, float m) {
    Operand<TFloat32> attenuated = tf.math.mul(step, metaFactor(tf, w, m));
    return tf.select(tf.math.less(tf.math.mul(step, w), tf.constant(0f)), attenuated, step);
  }

  /**
   * Attenuates the steps of weight matrices (see the class comment); the steps of parameters of
   * rank below 2 pass through. Reads θ before the step's update: every update waits for the
   * transformed steps.
   */
  @Override
  public List<Operand<TFloat32>> transformSteps(StepTransform.Context context) {
    Ops ops = context.tf();
    List<Operand<TFloat32>> steps = context.steps(parameters);
    float m = (float) config.m();
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      Operand<TFloat32> step = steps.get(i);
      if (!governed.get(i)) {
        out.add(step);
        continue;
      }
      Operand<TFloat32> theta = parameters.get(i).variable();
      if (config.reference() == Reference.ZERO) {
        out.add(towardZeroAttenuated(ops, step, theta, m));
      } else {
        Operand<TFloat32> w =
            ops.math.mul(consolidatedFlags.get(i), ops.math.sub(theta, anchors.get(i)));
        out.add(awayFromAnchorAttenuated(ops, step, w, m));
      }
    }
    return out;
  }

  /** ANCHOR: θ* ← θ and the parameter counts as consolidated. ZERO: nothing to do. */
  @Override
  public List<Op> consolidate(Consolidation.Context context) {
    Ops tf = context.tf();
    List<Op> ops = new ArrayList<>(anchorsToTheta(tf));
    for (Variable<TFloat32> flag : consolidatedFlags) {
      if (flag != null) {
        ops.add(tf.assign(flag, tf.constant(1f)));
      }
    }
    return ops;
  }

  /** ANCHOR: θ* ← θ, keeping whether a task was consolidated. ZERO: nothing to do. */
  @Override
  public List<Op> rebase(Rebase.Context context) {
    return anchorsToTheta(context.tf());
  }

  private List<Op> anchorsToTheta(Ops tf) {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      if (anchors.get(i) != null) {
        ops.add(tf.assign(anchors.get(i), parameters.get(i).variable()));
      }
    }
    return ops;
  }
}
