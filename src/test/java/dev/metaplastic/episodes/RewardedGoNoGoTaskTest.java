package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RewardedGoNoGoTaskTest {
  private static final RewardedGoNoGoTask TASK = new RewardedGoNoGoTask(4, 60, 8, 12, 1.0);

  @Test
  void blocksAlternateTheMappingAndHalfTheCuesAreGo() {
    RewardedGoNoGoTask.Sample s = TASK.sample(50, new Random(1));
    int reversalsSeen = 0;
    for (int b = 0; b < s.batch(); b++) {
      int[] reversals = s.reversals(b);
      assertTrue(reversals.length >= 4 && reversals.length <= 7, "reversals " + reversals.length);
      int start = 0;
      boolean[][] goByBlock = new boolean[reversals.length + 1][4];
      List<Set<Integer>> seen = new ArrayList<>();
      for (int k = 0; k <= reversals.length; k++) {
        int end = k < reversals.length ? reversals[k] : s.trials();
        if (k < reversals.length) {
          assertTrue(end - start >= 8 && end - start <= 12, "block of " + (end - start));
        }
        seen.add(new HashSet<>());
        for (int t = start; t < end; t++) {
          int cue = s.cue()[b * s.trials() + t];
          if (seen.get(k).add(cue)) {
            goByBlock[k][cue] = s.isGo(b, t);
          } else {
            assertEquals(goByBlock[k][cue], s.isGo(b, t), "one rule within a block");
          }
          assertEquals(s.go()[b * s.trials() + t], s.outcomeGo()[b * s.trials() + t]);
        }
        start = end;
      }
      for (int k = 1; k <= reversals.length; k++) {
        for (int cue : seen.get(k)) {
          if (seen.get(k - 1).contains(cue)) {
            assertNotEquals(
                goByBlock[k - 1][cue], goByBlock[k][cue], "a reversal flips cue " + cue);
            reversalsSeen++;
          }
        }
      }
    }
    assertTrue(reversalsSeen > 100);
    float[] x = s.cueInputs();
    assertEquals(50 * 60 * 4, x.length);
    for (int i = 0; i < 50 * 60; i++) {
      assertEquals(1f, x[i * 4 + s.cue()[i]]);
    }
  }

  @Test
  void deterministicForASeedAndValidityFlipsSomeOutcomes() {
    RewardedGoNoGoTask.Sample a = TASK.sample(3, new Random(9));
    RewardedGoNoGoTask.Sample b = TASK.sample(3, new Random(9));
    assertArrayEquals(a.cue(), b.cue());
    assertArrayEquals(a.outcomeGoInputs(), b.outcomeGoInputs());
    assertArrayEquals(a.reversals(2), b.reversals(2));
    RewardedGoNoGoTask noisy = new RewardedGoNoGoTask(4, 60, 8, 12, 0.8);
    RewardedGoNoGoTask.Sample n = noisy.sample(200, new Random(2));
    int flipped = 0;
    for (int i = 0; i < n.go().length; i++) {
      flipped += n.go()[i] != n.outcomeGo()[i] ? 1 : 0;
    }
    assertEquals(0.2, flipped / (double) n.go().length, 0.02);
    assertEquals(
        "Go/No-Go from reward: 4 cues, half of them Go; 60 trials per episode in blocks of 8-12"
            + " trials, the mapping reversing at each block; outcomes valid with p = 0.8",
        noisy.describe());
    RewardedGoNoGoTask.Sample slice = n.slice(10, 12);
    assertEquals(2, slice.batch());
    assertArrayEquals(n.reversals(11), slice.reversals(1));
  }

  @Test
  void rejectsBadSizes() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new RewardedGoNoGoTask(3, 60, 8, 12, 1.0));
    assertEquals(
        "Go/No-Go needs an even number of cues, at least 2 (half of them Go), got 3",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RewardedGoNoGoTask(4, 8, 8, 12, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new RewardedGoNoGoTask(4, 60, 8, 7, 1.0));
    assertThrows(IllegalArgumentException.class, () -> new RewardedGoNoGoTask(4, 60, 8, 12, 0.5));
  }
}
