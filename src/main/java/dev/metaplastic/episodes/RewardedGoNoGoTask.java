package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Go/No-Go learned from reward, with several unannounced reversals per episode: the environment of
 * an agent that acts and is rewarded by its own actions ({@code GoNoGoAgent} in the graphs module
 * plays it inside the graph).
 *
 * <p>An episode has T trials and K cues (K even). It draws which half of the cues are Go (the
 * mapping A; the other half are No-Go), and a sequence of blocks whose lengths are uniform in
 * [{@code minBlock}, {@code maxBlock}]: the first block follows A, the second the reversed mapping
 * B (every Go cue No-Go and every No-Go cue Go), the third A again, and so on, so each mapping
 * comes back after the other. A reversal is the first trial of a block after the first; nothing in
 * the input announces it. Every trial shows one cue, uniform over the K.
 *
 * <p>The agent sees the cue and, on the next trial, its own action and reward; the reward follows
 * {@code RewardSchedule}: hit, miss, false alarm or correct rejection. With {@code validity} p &lt;
 * 1 each trial's outcome is that of the other cue type with probability 1 − p (a probabilistic
 * reversal task: expected uncertainty); the rule the scores use is the true one.
 */
public final class RewardedGoNoGoTask {
  /** The standard sizes: 4 cues, 80 trials, blocks of 15 to 25 trials, outcomes always valid. */
  public static final RewardedGoNoGoTask STANDARD = new RewardedGoNoGoTask(4, 80, 15, 25, 1.0);

  private final int cues;
  private final int trials;
  private final int minBlock;
  private final int maxBlock;
  private final double validity;

  /**
   * Creates the task.
   *
   * @param cues K, even and at least 2
   * @param trials T, longer than {@code minBlock} so that every episode has a reversal
   * @param minBlock shortest block, at least 2
   * @param maxBlock longest block, at least {@code minBlock}
   * @param validity probability p ∈ (0.5, 1] that a trial's outcome follows the true rule
   */
  public RewardedGoNoGoTask(int cues, int trials, int minBlock, int maxBlock, double validity) {
    checkArgument(
        cues >= 2 && cues % 2 == 0,
        "Go/No-Go needs an even number of cues, at least 2 (half of them Go), got %s",
        cues);
    checkArgument(minBlock >= 2, "blocks must last at least 2 trials, got %s", minBlock);
    checkArgument(
        maxBlock >= minBlock,
        "the longest block (%s) must not be shorter than the shortest (%s)",
        maxBlock,
        minBlock);
    checkArgument(
        trials > minBlock,
        "an episode must be longer than the shortest block (%s trials) to hold a reversal, got %s",
        minBlock,
        trials);
    checkArgument(
        validity > 0.5 && validity <= 1, "outcome validity must be in (0.5, 1], got %s", validity);
    this.cues = cues;
    this.trials = trials;
    this.minBlock = minBlock;
    this.maxBlock = maxBlock;
    this.validity = validity;
  }

  /** K. */
  public int cues() {
    return cues;
  }

  /** T. */
  public int trials() {
    return trials;
  }

  /** The probability that a trial's outcome follows the true rule. */
  public double validity() {
    return validity;
  }

  /** One line saying what the task is and its sizes. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "Go/No-Go from reward: %d cues, half of them Go; %d trials per episode in blocks of %d-%d"
            + " trials, the mapping reversing at each block%s",
        cues,
        trials,
        minBlock,
        maxBlock,
        validity < 1 ? String.format(Locale.ROOT, "; outcomes valid with p = %s", validity) : "");
  }

  /**
   * Draws a batch of episodes.
   *
   * @param batch number of episodes, at least 1
   * @param random source of every random choice
   */
  public Sample sample(int batch, Random random) {
    checkArgument(batch >= 1, "batch must be positive, got %s", batch);
    checkNotNull(random, "random");
    int[] cue = new int[Episodes.checkedSize(batch, trials, 1)];
    boolean[] go = new boolean[cue.length];
    boolean[] outcomeGo = new boolean[cue.length];
    int[][] reversals = new int[batch][];
    for (int b = 0; b < batch; b++) {
      boolean[] goInA = GoNoGoReversalTask.drawGoHalf(cues, random);
      List<Integer> starts = new ArrayList<>();
      int blockEnd = nextBlock(0, random);
      boolean reversed = false;
      for (int t = 0; t < trials; t++) {
        if (t == blockEnd) {
          reversed = !reversed;
          starts.add(t);
          blockEnd = nextBlock(t, random);
        }
        int i = b * trials + t;
        cue[i] = random.nextInt(cues);
        go[i] = goInA[cue[i]] != reversed;
        outcomeGo[i] = validity == 1 || random.nextDouble() < validity ? go[i] : !go[i];
      }
      reversals[b] = starts.stream().mapToInt(Integer::intValue).toArray();
    }
    return new Sample(batch, trials, cues, cue, go, outcomeGo, reversals);
  }

  private int nextBlock(int start, Random random) {
    return start + minBlock + random.nextInt(maxBlock - minBlock + 1);
  }

  /**
   * A batch of episodes: per trial (row-major [B, T]) the cue, whether it is Go under the rule in
   * force, and whether its outcome is that of a Go cue; per episode the reversal trials.
   *
   * @param batch B
   * @param trials T
   * @param cues K
   * @param cue the cue of each trial, in [0, K)
   * @param go whether the trial's cue is Go under the rule in force
   * @param outcomeGo whether the trial is rewarded as a Go cue (equal to {@code go} unless the
   *     outcome was made invalid)
   * @param reversals per episode, the first trial of each block after the first, ascending
   */
  public record Sample(
      int batch,
      int trials,
      int cues,
      int[] cue,
      boolean[] go,
      boolean[] outcomeGo,
      int[][] reversals) {
    public Sample {
      checkArgument(
          cue.length == batch * trials
              && go.length == cue.length
              && outcomeGo.length == cue.length
              && reversals.length == batch,
          "a sample of %s episodes of %s trials needs %s trials and %s reversal lists",
          batch,
          trials,
          batch * trials,
          batch);
    }

    /** The cues one-hot, [B, T, K] row-major. */
    public float[] cueInputs() {
      float[] x = new float[cue.length * cues];
      for (int i = 0; i < cue.length; i++) {
        x[i * cues + cue[i]] = 1;
      }
      return x;
    }

    /** 1 where the trial is rewarded as Go, [B, T] row-major. */
    public float[] outcomeGoInputs() {
      float[] g = new float[outcomeGo.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = outcomeGo[i] ? 1 : 0;
      }
      return g;
    }

    /** Whether trial t of episode b is Go under the rule in force. */
    public boolean isGo(int b, int t) {
      checkElementIndex(b, batch, "episode");
      checkElementIndex(t, trials, "trial");
      return go[b * trials + t];
    }

    /** The reversal trials of episode b, ascending. */
    public int[] reversals(int b) {
      checkElementIndex(b, batch, "episode");
      return reversals[b].clone();
    }

    /** Episodes [from, to). */
    public Sample slice(int from, int to) {
      checkArgument(
          0 <= from && from < to && to <= batch, "bad slice [%s, %s) of %s", from, to, batch);
      return new Sample(
          to - from,
          trials,
          cues,
          Arrays.copyOfRange(cue, from * trials, to * trials),
          Arrays.copyOfRange(go, from * trials, to * trials),
          Arrays.copyOfRange(outcomeGo, from * trials, to * trials),
          Arrays.copyOfRange(reversals, from, to));
    }
  }
}
