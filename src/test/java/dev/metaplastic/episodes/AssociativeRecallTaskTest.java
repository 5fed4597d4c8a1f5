package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssociativeRecallTaskTest {
  private static final AssociativeRecallTask TASK = new AssociativeRecallTask(6, 5, 4);

  @Test
  void hasTheAdvertisedSizes() {
    assertEquals("associative", TASK.name());
    assertEquals(12, TASK.inputSize());
    assertEquals(5, TASK.outputSize());
    assertEquals(10, TASK.steps());
    assertEquals(Episodes.Kind.CLASSIFICATION, TASK.kind());
    assertEquals(6, TASK.firstValueChannel());
    assertEquals(11, TASK.queryChannel());
    assertEquals(8, TASK.queryStep());
    assertEquals(9, TASK.recallStep());
    assertEquals(
        "associative: recall the value of 1 of 4 key-value pairs (6 keys, 5 values; 10 steps, 12"
            + " inputs, 5 classes)",
        TASK.describe());
    TaskChecks.sampleAndCheckShape(TASK, 3, 1);
    AssociativeRecallTask standard = AssociativeRecallTask.standard();
    assertEquals(8, standard.keys());
    assertEquals(8, standard.values());
    assertEquals(4, standard.pairs());
  }

  @Test
  void isDeterministicForASeed() {
    TaskChecks.checkDeterministic(TASK);
  }

  @Test
  void scoresExactlyTheRecallStep() {
    Episodes episodes = TaskChecks.sampleAndCheckShape(TASK, 5, 2);

    for (int b = 0; b < 5; b++) {
      for (int t = 0; t < 10; t++) {
        assertEquals(t == 9, episodes.scored(b, t), "step " + t);
      }
    }
    TaskChecks.checkUnscoredTargetsAreZero(episodes);
  }

  @Test
  void anOracleThatLooksUpTheQueryKeyIsAlwaysRight() {
    Episodes episodes = TaskChecks.sampleAndCheckShape(TASK, 200, 3);
    Set<String> pairings = new HashSet<>();

    for (int b = 0; b < 200; b++) {
      int[] valueOfKey = new int[6];
      Arrays.fill(valueOfKey, -1);
      StringBuilder pairing = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        int key = TaskChecks.hot(episodes, b, 2 * i, 0, 6);
        int value = TaskChecks.hot(episodes, b, 2 * i + 1, 6, 5);
        assertTrue(key >= 0 && value >= 0, "pair " + i + " shows a key, then a value");
        assertEquals(-1, TaskChecks.hot(episodes, b, 2 * i, 6, 5), "no value with the key");
        assertEquals(-1, TaskChecks.hot(episodes, b, 2 * i + 1, 0, 6), "no key with the value");
        assertEquals(-1, valueOfKey[key], "key " + key + " shown twice");
        assertEquals(0, episodes.input(b, 2 * i, 11));
        valueOfKey[key] = value;
        pairing.append(key).append('=').append(value).append(' ');
      }
      pairings.add(pairing.toString());
      int query = TaskChecks.hot(episodes, b, 8, 0, 6);
      assertEquals(-1, TaskChecks.hot(episodes, b, 8, 6, 5));
      assertEquals(1, episodes.input(b, 8, 11));
      for (int c = 0; c < 12; c++) {
        assertEquals(0, episodes.input(b, 9, c), "the recall step shows nothing");
      }
      assertNotEquals(-1, valueOfKey[query], "the query key was shown");
      assertEquals(valueOfKey[query], episodes.targetClass(b, 9));
    }
    assertTrue(pairings.size() > 190, "pairings differ between episodes: " + pairings.size());
  }

  @Test
  void allowsAsManyPairsAsKeys() {
    Episodes episodes = new AssociativeRecallTask(3, 2, 3).sample(10, new Random(1));

    for (int b = 0; b < 10; b++) {
      Set<Integer> keys = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        keys.add(TaskChecks.hot(episodes, b, 2 * i, 0, 3));
      }
      assertEquals(Set.of(0, 1, 2), keys);
    }
  }

  @Test
  void rejectsBadSizes() {
    assertEquals(
        "associative recall needs at least 1 pair, got 0",
        assertThrows(IllegalArgumentException.class, () -> new AssociativeRecallTask(4, 4, 0))
            .getMessage());
    assertEquals(
        "associative recall needs at least 2 values, got 1",
        assertThrows(IllegalArgumentException.class, () -> new AssociativeRecallTask(4, 1, 2))
            .getMessage());
    assertEquals(
        "associative recall needs at least as many keys as pairs, got 3 keys for 4 pairs",
        assertThrows(IllegalArgumentException.class, () -> new AssociativeRecallTask(3, 4, 4))
            .getMessage());
    TaskChecks.checkRejectsEmptyBatch(TASK);
  }
}
