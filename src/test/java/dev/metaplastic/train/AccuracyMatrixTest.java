package dev.metaplastic.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class AccuracyMatrixTest {
  /** R = [[0.99], [0.97, 0.95], [0.90, 0.93, 0.96]]: metrics worked out by hand. */
  private static final AccuracyMatrix THREE_TASKS =
      new AccuracyMatrix(
          List.of("a", "b", "c"), new double[][] {{0.99}, {0.97, 0.95}, {0.90, 0.93, 0.96}});

  @Test
  void metricsFollowTheirDefinitions() {
    assertEquals((0.90 + 0.93 + 0.96) / 3, THREE_TASKS.averageAccuracy(), 1e-12);
    assertEquals(((0.90 - 0.99) + (0.93 - 0.95)) / 2, THREE_TASKS.backwardTransfer(), 1e-12);
    // Task 0's best before the last task is 0.99, task 1's 0.95.
    assertEquals(((0.99 - 0.90) + (0.95 - 0.93)) / 2, THREE_TASKS.forgetting(), 1e-12);
  }

  @Test
  void printsItselfAsTheCommandLineTable() {
    String n = System.lineSeparator();
    assertEquals(
        "after task       task 0   task 1   task 2"
            + n
            + "0                0.9900"
            + n
            + "1                0.9700   0.9500"
            + n
            + "2                0.9000   0.9300   0.9600"
            + n
            + "average accuracy 0.9300   backward transfer -0.0550   forgetting 0.0550",
        THREE_TASKS.toString());
  }
}
