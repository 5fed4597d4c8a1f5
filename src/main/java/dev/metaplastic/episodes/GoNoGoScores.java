package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * How an agent played a batch of {@link RewardedGoNoGoTask} episodes: reward, signal-detection
 * measures and adaptation at each reversal.
 *
 * <p>A trial is correct when the agent responded to a cue that is Go under the rule in force, or
 * withheld on one that is No-Go. The hit rate is P(respond | Go), the false-alarm rate P(respond |
 * No-Go), both pooled over every trial, and d′ = Φ⁻¹(H) − Φ⁻¹(F) with the log-linear correction H =
 * (hits + ½)/(Go trials + 1), F likewise (Hautus, Behav. Res. Methods 27, 1995), so that rates of 0
 * or 1 stay finite. For each block, ordinal 0 the first one (learning the episode's mapping from
 * nothing) and ordinal k ≥ 1 the block after the k-th reversal: the trials to criterion, the
 * smallest n such that at least {@value #CRITERION} of the {@value #WINDOW} trials from its start +
 * n on are correct (within the block; {@link GoNoGoReversalTask#stepsToCriterion}), and the
 * accuracy over the {@value #SPAN} trials before the block starts and the {@value #SPAN} from it
 * on. The second reversal brings the first mapping back, so comparing ordinals 1 and 2 measures
 * what the agent kept of a mapping it had to set aside.
 *
 * @param trials number of trials scored
 * @param rewardPerTrial mean reward
 * @param accuracy fraction of correct trials
 * @param hitRate P(respond | Go)
 * @param falseAlarmRate P(respond | No-Go)
 * @param dPrime d′ with the log-linear correction
 * @param blocks per block ordinal (0 = the first block), its adaptation
 */
public record GoNoGoScores(
    int trials,
    double rewardPerTrial,
    double accuracy,
    double hitRate,
    double falseAlarmRate,
    double dPrime,
    List<Block> blocks) {
  /** Trials of the sliding window of the criterion. */
  public static final int WINDOW = 5;

  /** Fraction of correct trials in the window that counts as (re)learned. */
  public static final double CRITERION = 0.8;

  /** Trials before and after a block's start over which the accuracy around it is measured. */
  public static final int SPAN = 10;

  private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(0, 1);

  public GoNoGoScores {
    blocks = List.copyOf(blocks);
  }

  /**
   * Adaptation in the blocks of one ordinal over every episode.
   *
   * @param ordinal 0 for the first block, k for the block after the k-th reversal
   * @param count episodes that have this block
   * @param reached blocks in which the criterion was reached
   * @param meanTrialsToCriterion mean trials to criterion over those that reached it (NaN if none)
   * @param accuracyBefore accuracy over the {@value #SPAN} trials before the block (NaN for ordinal
   *     0)
   * @param accuracyAfter accuracy over the first {@value #SPAN} trials of the block
   */
  public record Block(
      int ordinal,
      int count,
      int reached,
      double meanTrialsToCriterion,
      double accuracyBefore,
      double accuracyAfter) {}

  /**
   * Scores a played sample.
   *
   * @param actions per trial [B, T], 1 respond and 0 withhold
   * @param rewards per trial [B, T]
   */
  public static GoNoGoScores of(
      RewardedGoNoGoTask.Sample sample, float[] actions, float[] rewards) {
    int n = sample.batch() * sample.trials();
    checkArgument(
        actions.length == n && rewards.length == n,
        "need %s actions and rewards, got %s and %s",
        n,
        actions.length,
        rewards.length);
    int goTrials = 0;
    int hits = 0;
    int falseAlarms = 0;
    int correct = 0;
    double reward = 0;
    for (int i = 0; i < n; i++) {
      boolean respond = actions[i] > 0.5f;
      boolean go = sample.go()[i];
      goTrials += go ? 1 : 0;
      hits += go && respond ? 1 : 0;
      falseAlarms += !go && respond ? 1 : 0;
      correct += go == respond ? 1 : 0;
      reward += rewards[i];
    }
    int noGoTrials = n - goTrials;
    double dPrime =
        STANDARD_NORMAL.inverseCumulativeProbability((hits + 0.5) / (goTrials + 1.0))
            - STANDARD_NORMAL.inverseCumulativeProbability(
                (falseAlarms + 0.5) / (noGoTrials + 1.0));
    return new GoNoGoScores(
        n,
        reward / n,
        correct / (double) n,
        goTrials == 0 ? Double.NaN : hits / (double) goTrials,
        noGoTrials == 0 ? Double.NaN : falseAlarms / (double) noGoTrials,
        dPrime,
        blocks(sample, actions));
  }

  private static List<Block> blocks(RewardedGoNoGoTask.Sample sample, float[] actions) {
    int trials = sample.trials();
    List<double[]> tallies =
        new ArrayList<>(); // count, reached, sum, before ok, before n, after ok, after n
    for (int b = 0; b < sample.batch(); b++) {
      boolean[] correct = new boolean[trials];
      for (int t = 0; t < trials; t++) {
        correct[t] = (actions[b * trials + t] > 0.5f) == sample.isGo(b, t);
      }
      int[] reversals = sample.reversals(b);
      for (int k = 0; k <= reversals.length; k++) {
        int start = k == 0 ? 0 : reversals[k - 1];
        int end = k < reversals.length ? reversals[k] : trials;
        while (tallies.size() <= k) {
          tallies.add(new double[7]);
        }
        double[] tally = tallies.get(k);
        tally[0]++;
        OptionalInt n =
            GoNoGoReversalTask.stepsToCriterion(
                Arrays.copyOf(correct, end), start, WINDOW, CRITERION);
        if (n.isPresent()) {
          tally[1]++;
          tally[2] += n.getAsInt();
        }
        int previous = k <= 1 ? 0 : reversals[k - 2];
        for (int t = Math.max(previous, start - SPAN); t < start; t++) {
          tally[3] += correct[t] ? 1 : 0;
          tally[4]++;
        }
        for (int t = start; t < Math.min(end, start + SPAN); t++) {
          tally[5] += correct[t] ? 1 : 0;
          tally[6]++;
        }
      }
    }
    List<Block> out = new ArrayList<>();
    for (int k = 0; k < tallies.size(); k++) {
      double[] t = tallies.get(k);
      out.add(
          new Block(
              k,
              (int) t[0],
              (int) t[1],
              t[1] == 0 ? Double.NaN : t[2] / t[1],
              t[4] == 0 ? Double.NaN : t[3] / t[4],
              t[6] == 0 ? Double.NaN : t[5] / t[6]));
    }
    return out;
  }

  /**
   * Mean trials to criterion over every block after a reversal (ordinals ≥ 1), weighted by the
   * blocks that reached it; NaN if none did.
   */
  public double meanTrialsToCriterionAfterReversal() {
    double sum = 0;
    int reached = 0;
    for (Block block : blocks.subList(Math.min(1, blocks.size()), blocks.size())) {
      if (block.reached() > 0) {
        sum += block.meanTrialsToCriterion() * block.reached();
        reached += block.reached();
      }
    }
    return reached == 0 ? Double.NaN : sum / reached;
  }

  /**
   * The share of blocks after a reversal (ordinals ≥ 1) in which the criterion was reached: the
   * other half of {@link #meanTrialsToCriterionAfterReversal}, which averages only over those; NaN
   * without a reversal.
   */
  public double shareReachedAfterReversal() {
    int reached = 0;
    int count = 0;
    for (Block block : blocks.subList(Math.min(1, blocks.size()), blocks.size())) {
      reached += block.reached();
      count += block.count();
    }
    return count == 0 ? Double.NaN : reached / (double) count;
  }

  /** The block of an ordinal, if any episode had it. */
  public Optional<Block> block(int ordinal) {
    return ordinal < blocks.size() ? Optional.of(blocks.get(ordinal)) : Optional.empty();
  }

  /**
   * The mean of a per-trial series around every reversal: element j is the mean over reversals of
   * {@code series} at trial r + j − {@code before}, for offsets −{@code before} … {@code after} −
   * 1, counting only trials inside the two blocks the reversal separates (NaN where none is).
   *
   * @param series per trial [B, T], such as correctness or a modulator's level
   */
  public static double[] aroundReversals(
      RewardedGoNoGoTask.Sample sample, float[] series, int before, int after) {
    int trials = sample.trials();
    double[] sum = new double[before + after];
    int[] count = new int[before + after];
    for (int b = 0; b < sample.batch(); b++) {
      int[] reversals = sample.reversals(b);
      for (int k = 0; k < reversals.length; k++) {
        int r = reversals[k];
        int from = Math.max(k == 0 ? 0 : reversals[k - 1], r - before);
        int to = Math.min(k + 1 < reversals.length ? reversals[k + 1] : trials, r + after);
        for (int t = from; t < to; t++) {
          sum[t - r + before] += series[b * trials + t];
          count[t - r + before]++;
        }
      }
    }
    double[] mean = new double[sum.length];
    for (int j = 0; j < mean.length; j++) {
      mean[j] = count[j] == 0 ? Double.NaN : sum[j] / count[j];
    }
    return mean;
  }

  /** 1 where the trial's action was correct, 0 where not, [B, T]. */
  public static float[] correctness(RewardedGoNoGoTask.Sample sample, float[] actions) {
    float[] out = new float[actions.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (actions[i] > 0.5f) == sample.go()[i] ? 1 : 0;
    }
    return out;
  }
}
