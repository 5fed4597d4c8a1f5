package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.ops.FastWeightRuleDescriptor;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.TraceProducts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Architecture of a {@link PlasticRnn}: a tanh recurrent layer whose recurrent connection is
 * plastic within an episode, statically unrolled over a fixed number of steps, with a linear
 * readout at every step.
 *
 * @param inputSize number of input features per step, &gt; 0
 * @param hidden number of recurrent units H, &gt; 0
 * @param outputSize number of logits per step, &gt; 0
 * @param steps number of time steps T of one unrolled episode, &gt; 0
 * @param plasticity what moves the recurrent weights within an episode
 * @param seed seed of the deterministic (stateless) weight initialisation
 * @param rewardChannel the input channel that carries the task's reward or feedback, in {@code [0,
 *     inputSize)}, or empty when the input has none; a plasticity whose rule {@linkplain
 *     FastWeightRuleDescriptor#readsReward() reads the reward} ({@code dopamine}) needs it, the
 *     others ignore it
 * @param blockSteps for a rule whose trace is a decaying sum of outer products (Hebbian, Oja,
 *     gradient), the steps per block of {@link PlasticRnn}'s factored unroll, which computes the
 *     episode from a zero trace without the per-example [B, H, H] trace of every step; 0 unrolls
 *     step by step, updating that trace at every step. Both compute the rule's equations, in a
 *     different order of float sums (results agree to the last bits, not to the bit), so a model
 *     keeps the value it was built with. The other plasticities ignore it. ≥ 0
 * @param traceProducts how the cell forms its products with a per-example trace it carries step by
 *     step (every step of the neuromodulated and dopamine rules, the serving step of every rule):
 *     {@link TraceProducts#BATCHED} for a new model, {@link TraceProducts#ELEMENTWISE} for files
 *     written before it, whose graphs it reproduces to the bit
 */
public record PlasticRnnSpec(
    int inputSize,
    int hidden,
    int outputSize,
    int steps,
    Plasticity plasticity,
    long seed,
    OptionalInt rewardChannel,
    int blockSteps,
    TraceProducts traceProducts) {

  /**
   * {@link #blockSteps} of a new model. Each step after a block's end reads the folded [B, H, H]
   * trace and its gradient writes one, so fewer blocks cost less until the within-block sums
   * dominate: at H = 64, B = 32 with one thread, 16 made a Hebbian step 3.7–4.0 plain ones on the
   * copy task (T = 15, one block) where 8 made it 4.9, and 4.8 where 8 made 7.2 at T = 40; 40 (one
   * block) made it 9. Longer blocks lose because the coupling κ is per synapse: step t of a block
   * multiplies each of the block's k earlier steps' [B, H] products by κ [H, H], k·B·H² work a
   * step, so a block of K steps costs about K²/2 plain recurrent products (on go/no-go, T = 40,
   * under load: 8, 12, 16 and 20 within noise of each other, 40 and 64 a quarter slower).
   */
  public static final int DEFAULT_BLOCK_STEPS = 16;

  /**
   * The within-episode plasticity of the recurrent connection: {@link #NONE} (a plain RNN, whose
   * recurrent weight is the slow weight W alone) or one of the fast-weight rules of {@link Rules},
   * named as the rule is ({@code hebbian}, {@code oja}, {@code neuromodulated}, {@code gradient},
   * {@code dopamine}).
   *
   * @param name {@code none} or the name of a fast-weight rule
   */
  public record Plasticity(String name) {
    /** A plain RNN: the recurrent weight is the slow weight W alone. */
    public static final Plasticity NONE = new Plasticity("none");

    public Plasticity {
      checkNotNull(name, "plasticity must be none or a fast-weight rule, got null");
      if (!name.equals("none")) {
        Rules.fastWeightRule(name);
      }
    }

    /** {@link #NONE}, then one plasticity per fast-weight rule, in the registry's order. */
    public static List<Plasticity> values() {
      List<Plasticity> all = new ArrayList<>(List.of(NONE));
      Rules.fastWeightNames().forEach(name -> all.add(new Plasticity(name)));
      return all;
    }

    /** The fast-weight rule; empty for {@link #NONE}. */
    public Optional<FastWeightRuleDescriptor> rule() {
      return name.equals("none") ? Optional.empty() : Optional.of(Rules.fastWeightRule(name));
    }

    /** Whether the rule reads the task's reward channel. */
    public boolean readsReward() {
      return rule().map(FastWeightRuleDescriptor::readsReward).orElse(false);
    }

    @Override
    public String toString() {
      return name.toUpperCase(Locale.ROOT);
    }
  }

  public PlasticRnnSpec {
    checkArgument(inputSize > 0, "input size must be positive, got %s", inputSize);
    checkArgument(hidden > 0, "hidden size must be positive, got %s", hidden);
    checkArgument(outputSize > 0, "output size must be positive, got %s", outputSize);
    checkArgument(steps > 0, "number of unrolled steps must be positive, got %s", steps);
    checkNotNull(plasticity, "plasticity must be given, got null");
    checkNotNull(rewardChannel, "reward channel must be an OptionalInt (empty for none), got null");
    checkArgument(
        rewardChannel.isEmpty()
            || rewardChannel.getAsInt() >= 0 && rewardChannel.getAsInt() < inputSize,
        "reward channel must be an input channel in [0, %s), got %s",
        inputSize,
        rewardChannel);
    checkArgument(
        !plasticity.readsReward() || rewardChannel.isPresent(),
        "plasticity %s reads the reward from an input channel, but the spec gives no reward"
            + " channel (the task has no reward or feedback input)",
        plasticity);
    checkArgument(
        blockSteps >= 0, "block steps must be >= 0 (0: step by step), got %s", blockSteps);
    checkNotNull(traceProducts, "trace products must be given, got null");
  }

  /**
   * A new model's spec: unrolled in blocks of {@link #DEFAULT_BLOCK_STEPS}, trace products {@link
   * TraceProducts#BATCHED}.
   */
  public PlasticRnnSpec(
      int inputSize,
      int hidden,
      int outputSize,
      int steps,
      Plasticity plasticity,
      long seed,
      OptionalInt rewardChannel) {
    this(
        inputSize,
        hidden,
        outputSize,
        steps,
        plasticity,
        seed,
        rewardChannel,
        DEFAULT_BLOCK_STEPS,
        TraceProducts.BATCHED);
  }

  /** A spec whose input has no reward channel. */
  public PlasticRnnSpec(
      int inputSize, int hidden, int outputSize, int steps, Plasticity plasticity, long seed) {
    this(inputSize, hidden, outputSize, steps, plasticity, seed, OptionalInt.empty());
  }

  /** Whether the cell carries a per-example fast-weight state [B, H, H] through the episode. */
  public boolean carriesTrace() {
    return !plasticity.equals(Plasticity.NONE);
  }

  /** Readable form such as {@code hebbian rnn 3-4-2 x5}. */
  public String describe() {
    return plasticity.name() + " rnn " + inputSize + "-" + hidden + "-" + outputSize + " x" + steps;
  }
}
