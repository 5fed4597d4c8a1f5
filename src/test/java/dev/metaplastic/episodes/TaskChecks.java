package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

/** Checks every episode task must pass. */
final class TaskChecks {
  private TaskChecks() {}

  /** Samples {@code batch} episodes and checks their sizes against the task's. */
  static Episodes sampleAndCheckShape(EpisodeTask task, int batch, long seed) {
    Episodes episodes = task.sample(batch, new Random(seed));
    assertEquals(batch, episodes.batch());
    assertEquals(task.steps(), episodes.steps());
    assertEquals(task.inputSize(), episodes.inputSize());
    assertEquals(task.outputSize(), episodes.outputSize());
    assertEquals(task.kind(), episodes.kind());
    assertEquals(batch * task.steps() * task.inputSize(), episodes.inputs().length);
    assertEquals(batch * task.steps() * task.outputSize(), episodes.targets().length);
    assertEquals(batch * task.steps(), episodes.mask().length);
    return episodes;
  }

  /** Checks that a seed fixes the episodes and another seed changes them. */
  static void checkDeterministic(EpisodeTask task) {
    assertEquals(task.sample(4, new Random(5)), task.sample(4, new Random(5)));
    assertNotEquals(task.sample(4, new Random(5)), task.sample(4, new Random(6)));
  }

  /** Checks that unscored steps have all-zero targets. */
  static void checkUnscoredTargetsAreZero(Episodes episodes) {
    for (int b = 0; b < episodes.batch(); b++) {
      for (int t = 0; t < episodes.steps(); t++) {
        if (!episodes.scored(b, t)) {
          for (int o = 0; o < episodes.outputSize(); o++) {
            assertEquals(0, episodes.target(b, t, o), "target of unscored step " + t);
          }
        }
      }
    }
  }

  /** Checks the message for a non-positive batch. */
  static void checkRejectsEmptyBatch(EpisodeTask task) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> task.sample(0, new Random(1)));
    assertEquals("batch must be positive, got 0", e.getMessage());
  }

  /** The input channel that is 1 among {@code [from, from + count)} at a step, or −1 if none. */
  static int hot(Episodes episodes, int b, int t, int from, int count) {
    int found = -1;
    for (int c = from; c < from + count; c++) {
      float value = episodes.input(b, t, c);
      if (value == 1) {
        assertEquals(-1, found, "two hot channels at step " + t);
        found = c - from;
      } else {
        assertEquals(0, value, "channel " + c + " at step " + t);
      }
    }
    return found;
  }
}
