package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.Neuromodulators;

/**
 * Architecture of a {@link GoNoGoAgent}: a tanh RNN that sees one cue per trial with its own last
 * action and reward, acts (respond or withhold), and is rewarded by the environment; its input
 * connection may carry a fast-weight trace gated by neuromodulators.
 *
 * @param cues number K of cues, &gt; 0; the input of a trial is (cue one-hot, a_{t−1}, r_{t−1})
 * @param hidden number of recurrent units H, &gt; 0
 * @param trials number of trials T of one unrolled episode, &gt; 0
 * @param plastic whether the input connection carries a fast-weight trace; without one no modulator
 *     may act (the plain recurrent network of meta-reinforcement learning)
 * @param modulators which neuromodulators gate the trace and the response, and their constants
 * @param rewards the outcome of each action
 * @param seed seed of the deterministic (stateless) weight initialisation
 */
public record GoNoGoAgentSpec(
    int cues,
    int hidden,
    int trials,
    boolean plastic,
    Neuromodulators.Config modulators,
    RewardSchedule rewards,
    long seed) {
  public GoNoGoAgentSpec {
    checkArgument(cues > 0, "number of cues must be positive, got %s", cues);
    checkArgument(hidden > 0, "hidden size must be positive, got %s", hidden);
    checkArgument(trials > 0, "number of trials must be positive, got %s", trials);
    checkNotNull(modulators, "modulators must be a configuration (Neuromodulators.Config.NONE)");
    checkNotNull(rewards, "rewards must be a schedule (RewardSchedule.USUAL)");
    checkArgument(
        plastic || modulators.active().isEmpty(),
        "modulators %s need the plastic trace they gate; the plain network takes none",
        Modulator.describe(modulators.active()));
  }

  /** Inputs per trial: K cue channels, the last action and the last reward. */
  public int inputSize() {
    return cues + 2;
  }

  /**
   * Readable form such as {@code da+na agent 4-32 x80}, or {@code rnn agent 4-32 x80} for the plain
   * network.
   */
  public String describe() {
    return (plastic ? Modulator.describe(modulators.active()) : "rnn")
        + " agent "
        + cues
        + "-"
        + hidden
        + " x"
        + trials;
  }
}
