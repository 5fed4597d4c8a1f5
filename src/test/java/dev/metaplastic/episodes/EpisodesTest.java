package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.episodes.Episodes.Kind;
import org.junit.jupiter.api.Test;

class EpisodesTest {
  /**
   * Two episodes of two steps, one input and two output channels; input at (b, t) is {@code 10b +
   * t}, and only step 1 of each episode is scored, with class b.
   */
  private static Episodes two() {
    return new Episodes(
        2,
        2,
        1,
        2,
        new float[] {0, 1, 10, 11},
        new float[] {0, 0, 1, 0, 0, 0, 0, 1},
        new float[] {0, 1, 0, 1},
        Kind.CLASSIFICATION);
  }

  @Test
  void readsValuesRowMajor() {
    Episodes episodes = two();

    assertEquals(11, episodes.input(1, 1, 0));
    assertEquals(1, episodes.target(0, 1, 0));
    assertEquals(1, episodes.target(1, 1, 1));
    assertTrue(episodes.scored(1, 1));
    assertFalse(episodes.scored(1, 0));
    assertEquals(0, episodes.targetClass(0, 1));
    assertEquals(1, episodes.targetClass(1, 1));
    assertEquals(2, episodes.scoredCount());
    assertEquals(
        "Episodes[2 × 2 steps, 1 inputs, 2 outputs, CLASSIFICATION, 2 scored steps]",
        episodes.toString());
  }

  @Test
  void comparesContents() {
    Episodes other =
        new Episodes(
            2,
            2,
            1,
            2,
            new float[] {0, 1, 10, 12},
            new float[] {0, 0, 1, 0, 0, 0, 0, 1},
            new float[] {0, 1, 0, 1},
            Kind.CLASSIFICATION);

    assertEquals(two(), two());
    assertEquals(two().hashCode(), two().hashCode());
    assertNotEquals(two(), other);
  }

  @Test
  void rejectsWrongLengthsWithTheExpectedCount() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Episodes(
                    2, 2, 3, 1, new float[11], new float[4], new float[4], Kind.REGRESSION));

    assertEquals(
        "2 episodes of 2 steps need 12 inputs values (3 per step), got 11", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Episodes(
                    2, 2, 3, 1, new float[12], new float[4], new float[3], Kind.REGRESSION));
    assertEquals("2 episodes of 2 steps need 4 mask values (1 per step), got 3", e.getMessage());
  }

  @Test
  void rejectsNonPositiveSizes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Episodes(
                    0, 2, 1, 1, new float[0], new float[0], new float[0], Kind.REGRESSION));

    assertEquals("batch must be positive, got 0", e.getMessage());
  }

  @Test
  void rejectsMaskValuesOtherThanZeroAndOne() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Episodes(
                    1,
                    2,
                    1,
                    1,
                    new float[2],
                    new float[2],
                    new float[] {1, 0.5f},
                    Kind.REGRESSION));

    assertEquals("mask values must be 0 or 1, got 0.5 at episode 0 step 1", e.getMessage());
  }

  @Test
  void rejectsScoredClassificationTargetsThatAreNotOneHot() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new Episodes(
                    1,
                    2,
                    1,
                    2,
                    new float[2],
                    new float[] {0, 0, 0.5f, 0.5f},
                    new float[] {0, 1},
                    Kind.CLASSIFICATION));

    assertEquals("classification target of episode 0 step 1 is not one-hot", e.getMessage());
  }

  @Test
  void unscoredClassificationTargetsMayBeZero() {
    Episodes episodes =
        new Episodes(1, 1, 1, 2, new float[1], new float[2], new float[] {0}, Kind.CLASSIFICATION);

    assertEquals(0, episodes.scoredCount());
    assertThrows(IllegalStateException.class, () -> episodes.targetClass(0, 0));
  }

  @Test
  void rejectsOutOfRangeIndices() {
    Episodes episodes = two();

    assertThrows(IndexOutOfBoundsException.class, () -> episodes.input(2, 0, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> episodes.input(0, 2, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> episodes.input(0, 0, 1));
    assertThrows(IndexOutOfBoundsException.class, () -> episodes.target(0, 0, 2));
  }
}
