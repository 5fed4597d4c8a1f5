package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.junit.jupiter.api.Test;

class GoNoGoScoresTest {
  /**
   * One episode of 12 trials, reversals at 4 and 8, cue 0 Go in the first block: the agent is right
   * everywhere but on trials 4 and 5 (just after the first reversal) and 8 (the second).
   */
  private static final RewardedGoNoGoTask.Sample SAMPLE = sample();

  private static RewardedGoNoGoTask.Sample sample() {
    int[] cue = {0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1};
    boolean[] go = new boolean[12];
    for (int t = 0; t < 12; t++) {
      boolean reversed = t >= 4 && t < 8;
      go[t] = (cue[t] == 0) != reversed;
    }
    return new RewardedGoNoGoTask.Sample(1, 12, 2, cue, go, go.clone(), new int[][] {{4, 8}});
  }

  @Test
  void scoresAPlayedEpisode() {
    float[] actions = new float[12];
    float[] rewards = new float[12];
    int hits = 0;
    int falseAlarms = 0;
    int goTrials = 0;
    for (int t = 0; t < 12; t++) {
      boolean wrong = t == 4 || t == 5 || t == 8;
      boolean go = SAMPLE.isGo(0, t);
      boolean respond = go != wrong;
      actions[t] = respond ? 1 : 0;
      rewards[t] = respond ? (go ? 1 : -1) : 0;
      goTrials += go ? 1 : 0;
      hits += go && respond ? 1 : 0;
      falseAlarms += !go && respond ? 1 : 0;
    }
    GoNoGoScores s = GoNoGoScores.of(SAMPLE, actions, rewards);
    assertEquals(12, s.trials());
    assertEquals(9 / 12.0, s.accuracy(), 1e-12);
    double reward = 0;
    for (float r : rewards) {
      reward += r;
    }
    assertEquals(reward / 12, s.rewardPerTrial(), 1e-12);
    assertEquals(hits / (double) goTrials, s.hitRate(), 1e-12);
    assertEquals(falseAlarms / (double) (12 - goTrials), s.falseAlarmRate(), 1e-12);
    NormalDistribution z = new NormalDistribution(0, 1);
    double expected =
        z.inverseCumulativeProbability((hits + 0.5) / (goTrials + 1.0))
            - z.inverseCumulativeProbability((falseAlarms + 0.5) / (12 - goTrials + 1.0));
    assertEquals(expected, s.dPrime(), 1e-12);
    assertEquals(3, s.blocks().size());
    // Block 0 (trials 0–3): right at once. Block 1 (4–7): 4/5 of trials 4–8 is cut by the block end
    // at 8, so no window of 5 fits: never reached. Block 2 (8–11): too short for a window.
    assertEquals(new GoNoGoScores.Block(0, 1, 0, Double.NaN, Double.NaN, 1.0), s.blocks().get(0));
    GoNoGoScores.Block first = s.blocks().get(1);
    assertEquals(1.0, first.accuracyBefore(), 1e-12);
    assertEquals(0.5, first.accuracyAfter(), 1e-12);
    assertEquals(0, first.reached());
    assertEquals(0.5, s.blocks().get(2).accuracyBefore(), 1e-12);
    assertEquals(0.75, s.blocks().get(2).accuracyAfter(), 1e-12);
    assertTrue(Double.isNaN(s.meanTrialsToCriterionAfterReversal()));
    assertEquals(0.0, s.shareReachedAfterReversal(), 0);
  }

  @Test
  void trialsToCriterionPerBlockAndCurvesAroundReversals() {
    int[] cue = new int[30];
    boolean[] go = new boolean[30];
    for (int t = 0; t < 30; t++) {
      go[t] = t % 2 == 0;
    }
    RewardedGoNoGoTask.Sample long3 =
        new RewardedGoNoGoTask.Sample(1, 30, 2, cue, go, go.clone(), new int[][] {{10, 20}});
    float[] actions = new float[30];
    for (int t = 0; t < 30; t++) {
      // Wrong on the first two trials after the first reversal and the first after the second.
      boolean wrong = t == 10 || t == 11 || t == 20;
      actions[t] = (go[t] != wrong) ? 1 : 0;
    }
    GoNoGoScores s = GoNoGoScores.of(long3, actions, new float[30]);
    assertEquals(0.0, s.blocks().get(0).meanTrialsToCriterion(), 0);
    // 4 of 5 is the criterion: trials 11–15 meet it after the first reversal, 20–24 at the second.
    assertEquals(1.0, s.blocks().get(1).meanTrialsToCriterion(), 0);
    assertEquals(0.0, s.blocks().get(2).meanTrialsToCriterion(), 0);
    assertEquals(0.5, s.meanTrialsToCriterionAfterReversal(), 1e-12);
    assertEquals(1.0, s.shareReachedAfterReversal(), 0);
    float[] correct = GoNoGoScores.correctness(long3, actions);
    double[] around = GoNoGoScores.aroundReversals(long3, correct, 2, 3);
    // Offsets −2, −1, 0, 1, 2 over the reversals at 10 and 20.
    assertArrayEquals(new double[] {1, 1, 0, 0.5, 1}, around, 1e-12);
  }
}
