package dev.metaplastic.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.GoNoGoAgentSpec;
import dev.metaplastic.graphs.GoNoGoTrainingGraph;
import dev.metaplastic.graphs.RewardSchedule;
import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.Neuromodulators;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;

/**
 * Checks {@link GoNoGoTrainingGraph} through {@link GoNoGoSession}: the episode played in the graph
 * against the environment's rules and the modulators' equations recomputed in plain Java from its
 * own series, the actor-critic loss against plain Java, bit-reproducibility and the noise key.
 */
class GoNoGoTrainingGraphTest {
  private static final int K = 2;
  private static final int T = 12;
  private static final int B = 5;
  private static final Neuromodulators.Config ALL =
      Neuromodulators.Config.NONE.withActive(Modulator.parse("da+na+ach+5ht"));
  private static final GoNoGoTrainingGraph.Config TRAINING = GoNoGoTrainingGraph.Config.adam(0.01);

  private static GoNoGoAgentSpec spec(boolean plastic, Neuromodulators.Config modulators) {
    return new GoNoGoAgentSpec(K, 6, T, plastic, modulators, RewardSchedule.USUAL, 7);
  }

  /** One-hot cues [B, T, K] and the Go outcome of each trial (cue 1 is Go for the first half). */
  private record Batch(float[] cues, float[] go) {}

  private static Batch batch(long seed) {
    Random random = new Random(seed);
    float[] cues = new float[B * T * K];
    float[] go = new float[B * T];
    for (int i = 0; i < B * T; i++) {
      int cue = random.nextInt(K);
      cues[i * K + cue] = 1;
      go[i] = (cue == 1) == (i % T < T / 2) ? 1 : 0;
    }
    return new Batch(cues, go);
  }

  @Test
  void entryPointsCarryTheirNames() {
    try (Graph g = new Graph()) {
      GoNoGoTrainingGraph training = new GoNoGoTrainingGraph(g, spec(true, ALL), TRAINING);
      assertEquals("episode/cues", training.cues().op().name());
      assertEquals("episode/outcome_go", training.outcomeGo().op().name());
      assertEquals("episode/seed", training.seed().op().name());
      assertEquals("train_episode/loss", training.trainLoss().op().name());
      assertEquals("train_episode/gradient_norm", training.gradientNorm().op().name());
      training.play().forEach((name, op) -> assertEquals("play/" + name, op.op().name()));
      assertTrue(training.variables().containsKey("gated_hebbian/rnn/input_kernel/alpha"));
      assertTrue(training.variables().containsKey("gated_hebbian/rnn/input_kernel/eta"));
      assertTrue(training.variables().containsKey("value/kernel"));
      assertTrue(training.variables().containsKey("adam/policy/kernel/m"));
    }
    try (Graph g = new Graph()) {
      GoNoGoTrainingGraph plain =
          new GoNoGoTrainingGraph(g, spec(false, Neuromodulators.Config.NONE), TRAINING);
      assertFalse(plain.variables().keySet().stream().anyMatch(n -> n.startsWith("gated_hebbian")));
    }
  }

  @Test
  void playedEpisodeFollowsTheEnvironmentAndTheModulators() {
    Batch batch = batch(1);
    try (GoNoGoSession session = new GoNoGoSession(spec(true, ALL), TRAINING)) {
      GoNoGoSession.Played played = session.play(batch.cues(), batch.go(), B, new long[] {3, 4});
      float[] a = played.get("actions");
      float[] r = played.get("rewards");
      float[] p = played.get("respond_probability");
      float[] v = played.get("value");
      float[] delta = played.get("dopamine");
      float[] nu = played.get("noradrenaline");
      float[] u = played.get("acetylcholine");
      float[] s = played.get("serotonin");
      double expectedLoss = 0;
      for (int b = 0; b < B; b++) {
        double f = 0;
        double uu = 0;
        double ss = 0;
        for (int t = 0; t < T; t++) {
          int i = b * T + t;
          assertTrue(a[i] == 0 || a[i] == 1, "action " + a[i]);
          assertTrue(p[i] > 0 && p[i] < 1, "probability " + p[i]);
          boolean go = batch.go()[i] == 1;
          double reward = a[i] == 1 ? (go ? 1 : -1) : 0;
          assertEquals(reward, r[i], 0, "reward of trial " + i);
          double d = reward - v[i];
          assertEquals(d, delta[i], 1e-6, "dopamine of trial " + i);
          f += ALL.fastRate() * (d * d - f);
          uu += ALL.slowRate() * (d * d - uu);
          ss += ALL.aversiveRate() * (Math.max(0, -d) - ss);
          assertEquals(uu, u[i], 1e-5, "acetylcholine of trial " + i);
          assertEquals(ss, s[i], 1e-5, "serotonin of trial " + i);
          assertEquals(Math.max(0, f - uu) / (f + 1e-6), nu[i], 1e-4, "noradrenaline " + i);
          double logChosen = a[i] == 1 ? Math.log(p[i]) : Math.log(1 - p[i]);
          double entropy = -(p[i] * Math.log(p[i]) + (1 - p[i]) * Math.log(1 - p[i]));
          expectedLoss +=
              (-d * logChosen + TRAINING.valueWeight() * d * d - TRAINING.entropyWeight() * entropy)
                  / (B * T);
        }
      }
      assertEquals(expectedLoss, played.loss(), 1e-5, "actor-critic loss");
      double punished = 0;
      for (float x : s) {
        punished = Math.max(punished, x);
      }
      assertTrue(punished > 0, "some punishment was recorded");
    }
  }

  @Test
  void trainingRepeatsBitForBitAndTheNoiseKeyDrawsTheActions() {
    float[][] losses = new float[2][];
    float[][] eta = new float[2][];
    for (int run = 0; run < 2; run++) {
      try (GoNoGoSession session = new GoNoGoSession(spec(true, ALL), TRAINING)) {
        losses[run] = new float[4];
        for (int step = 0; step < 4; step++) {
          Batch batch = batch(step);
          losses[run][step] = session.train(batch.cues(), batch.go(), B, new long[] {7, step});
        }
        eta[run] = session.read("gated_hebbian/rnn/input_kernel/eta");
      }
    }
    assertArrayEquals(losses[0], losses[1]);
    assertArrayEquals(eta[0], eta[1]);
    assertNotEquals((float) 0.1, eta[0][0], "training moved eta");
    try (GoNoGoSession session = new GoNoGoSession(spec(true, ALL), TRAINING)) {
      Batch batch = batch(9);
      float[] first = session.play(batch.cues(), batch.go(), B, new long[] {1, 1}).get("actions");
      float[] again = session.play(batch.cues(), batch.go(), B, new long[] {1, 1}).get("actions");
      float[] other = session.play(batch.cues(), batch.go(), B, new long[] {1, 2}).get("actions");
      assertArrayEquals(first, again);
      assertFalse(Arrays.equals(first, other), "another key draws other actions");
    }
  }

  @Test
  void specsAndBatchesAreChecked() {
    var e = assertThrows(IllegalArgumentException.class, () -> spec(false, ALL));
    assertEquals(
        "modulators da+na+ach+5ht need the plastic trace they gate; the plain network takes none",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RewardSchedule(0, 1, -1, 0));
    assertEquals("da+na+ach+5ht agent 2-6 x12", spec(true, ALL).describe());
    try (GoNoGoSession session =
        new GoNoGoSession(spec(false, Neuromodulators.Config.NONE), TRAINING)) {
      var wrong =
          assertThrows(
              IllegalArgumentException.class,
              () -> session.train(new float[3], new float[B * T], B, new long[] {0, 0}));
      assertEquals(
          "cues must hold [batch, trials, cues] = [5, 12, 2] floats, got 3", wrong.getMessage());
    }
  }
}
