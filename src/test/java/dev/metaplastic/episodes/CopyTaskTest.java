package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CopyTaskTest {
  private static final CopyTask TASK = new CopyTask(6, 4, 3);

  @Test
  void hasTheAdvertisedSizes() {
    assertEquals("copy", TASK.name());
    assertEquals(7, TASK.inputSize());
    assertEquals(6, TASK.outputSize());
    assertEquals(11, TASK.steps());
    assertEquals(Episodes.Kind.CLASSIFICATION, TASK.kind());
    assertEquals(6, TASK.goChannel());
    assertEquals(7, TASK.firstRecallStep());
    assertEquals(
        "copy: recall 4 symbols of 6 in order after a 3-step delay (11 steps, 7 inputs, 6 classes)",
        TASK.describe());
    TaskChecks.sampleAndCheckShape(TASK, 3, 1);
    CopyTask standard = CopyTask.standard();
    assertEquals(8, standard.symbols());
    assertEquals(5, standard.length());
    assertEquals(5, standard.delay());
  }

  @Test
  void isDeterministicForASeed() {
    TaskChecks.checkDeterministic(TASK);
  }

  @Test
  void scoresExactlyTheRecallSteps() {
    Episodes episodes = TaskChecks.sampleAndCheckShape(TASK, 5, 2);

    for (int b = 0; b < 5; b++) {
      for (int t = 0; t < TASK.steps(); t++) {
        assertEquals(t >= 7, episodes.scored(b, t), "step " + t);
      }
    }
    assertEquals(5 * 4, episodes.scoredCount());
    TaskChecks.checkUnscoredTargetsAreZero(episodes);
  }

  @Test
  void anOracleThatCopiesTheShownSequenceIsAlwaysRight() {
    Episodes episodes = TaskChecks.sampleAndCheckShape(TASK, 50, 3);

    for (int b = 0; b < 50; b++) {
      int[] shown = new int[4];
      for (int i = 0; i < 4; i++) {
        shown[i] = TaskChecks.hot(episodes, b, i, 0, 6);
        assertEquals(0, episodes.input(b, i, TASK.goChannel()));
      }
      for (int t = 4; t < 7; t++) {
        assertEquals(-1, TaskChecks.hot(episodes, b, t, 0, 7), "delay step " + t);
      }
      for (int i = 0; i < 4; i++) {
        int t = 7 + i;
        assertEquals(-1, TaskChecks.hot(episodes, b, t, 0, 6));
        assertEquals(1, episodes.input(b, t, TASK.goChannel()));
        assertEquals(shown[i], episodes.targetClass(b, t));
      }
    }
  }

  @Test
  void usesEverySymbol() {
    Episodes episodes = TASK.sample(100, new Random(4));
    int[] counts = new int[6];
    for (int b = 0; b < 100; b++) {
      for (int t = 7; t < 11; t++) {
        counts[episodes.targetClass(b, t)]++;
      }
    }
    for (int count : counts) {
      assertEquals(400 / 6.0, count, 25);
    }
  }

  @Test
  void worksWithoutDelay() {
    Episodes episodes = new CopyTask(2, 1, 0).sample(2, new Random(1));

    assertEquals(2, episodes.steps());
    assertEquals(TaskChecks.hot(episodes, 0, 0, 0, 2), episodes.targetClass(0, 1));
  }

  @Test
  void rejectsBadSizes() {
    assertEquals(
        "copy task needs at least 2 symbols, got 1",
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(1, 4, 3)).getMessage());
    assertEquals(
        "copy task needs a sequence length of at least 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(2, 0, 3)).getMessage());
    assertEquals(
        "copy task delay must be non-negative, got -1",
        assertThrows(IllegalArgumentException.class, () -> new CopyTask(2, 1, -1)).getMessage());
    TaskChecks.checkRejectsEmptyBatch(TASK);
  }
}
