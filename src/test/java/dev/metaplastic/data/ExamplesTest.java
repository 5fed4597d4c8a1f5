package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExamplesTest {
  /** Four examples of three features; example {@code i} has features {@code 10i, 10i+1, 10i+2}. */
  private static final Examples FOUR =
      new Examples(
          new float[] {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32},
          new int[] {5, 6, 7, 8},
          new int[] {0, 1, 2, 3},
          3);

  @Test
  void gatherCopiesTheSelectedRowsToTheStartOfTheOutputs() {
    float[] features = new float[9];
    int[] labels = new int[3];
    int[] tasks = new int[3];

    FOUR.gather(new int[] {3, 1, 0, 2}, 1, 2, features, labels, tasks);

    assertArrayEquals(new float[] {10, 11, 12, 0, 1, 2, 0, 0, 0}, features);
    assertArrayEquals(new int[] {6, 5, 0}, labels);
    assertArrayEquals(new int[] {1, 0, 0}, tasks);
  }

  @Test
  void gatherRejectsTooSmallOutputsAndOutOfRangePositions() {
    int[] indices = {0, 1};

    assertThrows(
        IllegalArgumentException.class,
        () -> FOUR.gather(indices, 0, 2, new float[5], new int[2], new int[2]));
    assertThrows(
        IndexOutOfBoundsException.class,
        () -> FOUR.gather(indices, 1, 2, new float[6], new int[2], new int[2]));
  }

  @Test
  void sizeIsTheNumberOfExamples() {
    assertEquals(4, FOUR.size());
  }

  @Test
  void rejectsInconsistentLengths() {
    IllegalArgumentException features =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Examples(new float[5], new int[2], new int[2], 3));
    IllegalArgumentException tasks =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Examples(new float[6], new int[2], new int[1], 3));

    assertEquals("2 examples of 3 features need 6 feature values, got 5", features.getMessage());
    assertEquals("need one task id per example: 2 labels but 1 task ids", tasks.getMessage());
  }

  @Test
  void concatJoinsInOrder() {
    Examples one = new Examples(new float[] {1, 2}, new int[] {3}, new int[] {4}, 2);
    Examples two = new Examples(new float[] {5, 6, 7, 8}, new int[] {9, 10}, new int[] {11, 12}, 2);

    Examples joined = Examples.concat(List.of(one, two));

    assertEquals(
        new Examples(
            new float[] {1, 2, 5, 6, 7, 8}, new int[] {3, 9, 10}, new int[] {4, 11, 12}, 2),
        joined);
  }

  @Test
  void concatRejectsMixedFeatureSizesAndEmptyLists() {
    Examples pair = new Examples(new float[] {1, 2}, new int[] {0}, new int[] {0}, 2);

    assertThrows(IllegalArgumentException.class, () -> Examples.concat(List.of(pair, FOUR)));
    assertThrows(IllegalArgumentException.class, () -> Examples.concat(List.of()));
  }

  @Test
  void equalityComparesContents() {
    Examples copy =
        new Examples(FOUR.features().clone(), FOUR.labels().clone(), FOUR.tasks().clone(), 3);
    Examples otherLabel = new Examples(FOUR.features(), new int[] {5, 6, 7, 9}, FOUR.tasks(), 3);

    assertEquals(FOUR, copy);
    assertEquals(FOUR.hashCode(), copy.hashCode());
    assertNotEquals(FOUR, otherLabel);
    assertEquals("Examples[4 examples of 3 features]", FOUR.toString());
  }
}
