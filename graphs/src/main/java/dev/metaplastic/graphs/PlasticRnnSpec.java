package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;

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
 */
public record PlasticRnnSpec(
    int inputSize, int hidden, int outputSize, int steps, Plasticity plasticity, long seed) {

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
    GRADIENT
  }

  public PlasticRnnSpec {
    checkArgument(inputSize > 0, "input size must be positive, got %s", inputSize);
    checkArgument(hidden > 0, "hidden size must be positive, got %s", hidden);
    checkArgument(outputSize > 0, "output size must be positive, got %s", outputSize);
    checkArgument(steps > 0, "number of unrolled steps must be positive, got %s", steps);
    checkNotNull(
        plasticity, "plasticity must be NONE, HEBBIAN, OJA, NEUROMODULATED or GRADIENT, got null");
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
