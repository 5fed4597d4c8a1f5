package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;
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
 *     inputSize)}, or empty when the input has none; {@link Plasticity#DOPAMINE} reads it and needs
 *     it, the other kinds ignore it
 */
public record PlasticRnnSpec(
    int inputSize,
    int hidden,
    int outputSize,
    int steps,
    Plasticity plasticity,
    long seed,
    OptionalInt rewardChannel) {

  /** The within-episode plasticity of the recurrent connection. */
  public enum Plasticity {
    /** A plain RNN: the recurrent weight is the slow weight W alone. */
    NONE,
    /** Miconi et al. (2018): W + α ⊙ Hebb with the plain decaying trace, learned scalar η. */
    HEBBIAN,
    /** As {@link #HEBBIAN} with Oja's trace update. */
    OJA,
    /** Backpropamine's simple neuromodulation: Hebb ← clip(Hebb + M_t · pre ⊗ post). */
    NEUROMODULATED,
    /** Duan et al. (2023): W + W_fast, W_fast moved by the gradient of a self-generated loss. */
    GRADIENT,
    /**
     * Backpropamine's simple trace with the modulator M_t = g_t δ_t: a dopamine-like
     * reward-prediction error δ_t = r_t − V_t (r_t from the {@linkplain #rewardChannel reward
     * channel}, V_t a learned readout of h_{t−1}) times a noradrenaline-like gain g_t = clip(1 +
     * κ|δ_t|, 1, g_max).
     */
    DOPAMINE
  }

  public PlasticRnnSpec {
    checkArgument(inputSize > 0, "input size must be positive, got %s", inputSize);
    checkArgument(hidden > 0, "hidden size must be positive, got %s", hidden);
    checkArgument(outputSize > 0, "output size must be positive, got %s", outputSize);
    checkArgument(steps > 0, "number of unrolled steps must be positive, got %s", steps);
    checkNotNull(
        plasticity,
        "plasticity must be NONE, HEBBIAN, OJA, NEUROMODULATED, GRADIENT or DOPAMINE, got null");
    checkNotNull(rewardChannel, "reward channel must be an OptionalInt (empty for none), got null");
    checkArgument(
        rewardChannel.isEmpty()
            || rewardChannel.getAsInt() >= 0 && rewardChannel.getAsInt() < inputSize,
        "reward channel must be an input channel in [0, %s), got %s",
        inputSize,
        rewardChannel);
    checkArgument(
        plasticity != Plasticity.DOPAMINE || rewardChannel.isPresent(),
        "plasticity DOPAMINE reads the reward from an input channel, but the spec gives no reward"
            + " channel (the task has no reward or feedback input)");
  }

  /** A spec whose input has no reward channel. */
  public PlasticRnnSpec(
      int inputSize, int hidden, int outputSize, int steps, Plasticity plasticity, long seed) {
    this(inputSize, hidden, outputSize, steps, plasticity, seed, OptionalInt.empty());
  }

  /** Whether the cell carries a per-example fast-weight state [B, H, H] through the episode. */
  public boolean carriesTrace() {
    return plasticity != Plasticity.NONE;
  }

  /** Readable form such as {@code hebbian rnn 3-4-2 x5}. */
  public String describe() {
    return plasticity.name().toLowerCase(Locale.ROOT)
        + " rnn "
        + inputSize
        + "-"
        + hidden
        + "-"
        + outputSize
        + " x"
        + steps;
  }
}
