package dev.metaplastic.episodes;

import static dev.metaplastic.episodes.GoNoGoReversalTask.FEEDBACK_CHANNEL;
import static dev.metaplastic.episodes.GoNoGoReversalTask.RESPOND;
import static dev.metaplastic.episodes.GoNoGoReversalTask.WITHHOLD;
import static dev.metaplastic.episodes.GoNoGoReversalTask.stepsToCriterion;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.episodes.GoNoGoReversalTask.Sample;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GoNoGoReversalTaskTest {
  private static final GoNoGoReversalTask TASK = new GoNoGoReversalTask(12);

  @Test
  void hasTheAdvertisedSizes() {
    assertEquals("gonogo", TASK.name());
    assertEquals(3, TASK.inputSize());
    assertEquals(2, TASK.outputSize());
    assertEquals(12, TASK.steps());
    assertEquals(Episodes.Kind.CLASSIFICATION, TASK.kind());
    assertEquals(4, TASK.earliestReversal());
    assertEquals(8, TASK.latestReversal());
    assertEquals(
        "gonogo: respond to the Go cue, withhold on No-Go; the rule flips unannounced between"
            + " steps 4 and 8 (12 steps, 3 inputs, 2 classes, teacher-forced feedback)",
        TASK.describe());
    TaskChecks.sampleAndCheckShape(TASK, 3, 1);
    assertEquals(40, GoNoGoReversalTask.standard().steps());
  }

  @Test
  void isDeterministicForASeedAndSampleMatchesSampleWithReversals() {
    TaskChecks.checkDeterministic(TASK);
    Sample sample = TASK.sampleWithReversals(4, new Random(5));
    Sample again = TASK.sampleWithReversals(4, new Random(5));

    assertEquals(TASK.sample(4, new Random(5)), sample.episodes());
    assertArrayEquals(sample.reversalSteps(), again.reversalSteps());
    assertArrayEquals(sample.firstGoCues(), again.firstGoCues());
  }

  @Test
  void scoresEveryStep() {
    Episodes episodes = TaskChecks.sampleAndCheckShape(TASK, 5, 2);

    assertEquals(5 * 12, episodes.scoredCount());
  }

  @Test
  void reversalStepsCoverTheMiddleThird() {
    Sample sample = TASK.sampleWithReversals(500, new Random(3));
    int[] counts = new int[12];
    int[] firstGo = new int[2];

    for (int b = 0; b < 500; b++) {
      counts[sample.reversalStep(b)]++;
      firstGo[sample.firstGoCue(b)]++;
    }
    for (int t = 0; t < 12; t++) {
      if (t >= 4 && t <= 8) {
        assertEquals(100, counts[t], 30, "reversals at step " + t);
      } else {
        assertEquals(0, counts[t], "reversals at step " + t);
      }
    }
    assertEquals(250, firstGo[0], 40);
  }

  @Test
  void inputsShowOneCueAndTheCorrectResponseOfThePreviousStep() {
    Episodes episodes = TASK.sample(50, new Random(4));

    for (int b = 0; b < 50; b++) {
      assertEquals(0, episodes.input(b, 0, FEEDBACK_CHANNEL));
      for (int t = 0; t < 12; t++) {
        assertTrue(TaskChecks.hot(episodes, b, t, 0, 2) >= 0, "a cue at step " + t);
        if (t > 0) {
          float expected = episodes.targetClass(b, t - 1) == RESPOND ? 1 : -1;
          assertEquals(expected, episodes.input(b, t, FEEDBACK_CHANNEL), "feedback at " + t);
        }
      }
    }
  }

  @Test
  void anOracleThatKnowsTheReversalIsAlwaysRight() {
    Sample sample = TASK.sampleWithReversals(200, new Random(5));
    Episodes episodes = sample.episodes();

    for (int b = 0; b < 200; b++) {
      for (int t = 0; t < 12; t++) {
        int go = t < sample.reversalStep(b) ? sample.firstGoCue(b) : 1 - sample.firstGoCue(b);
        int cue = TaskChecks.hot(episodes, b, t, 0, 2);
        assertEquals(cue == go ? RESPOND : WITHHOLD, episodes.targetClass(b, t));
      }
    }
  }

  @Test
  void aPolicyThatInfersTheRuleFromTheLastFeedbackMissesOnlyTheFirstAndReversalSteps() {
    Sample sample = TASK.sampleWithReversals(200, new Random(6));
    Episodes episodes = sample.episodes();

    for (int b = 0; b < 200; b++) {
      boolean[] correct = new boolean[12];
      for (int t = 1; t < 12; t++) {
        int previousCue = TaskChecks.hot(episodes, b, t - 1, 0, 2);
        boolean previousWasGo = episodes.input(b, t, FEEDBACK_CHANNEL) == 1;
        int go = previousWasGo ? previousCue : 1 - previousCue;
        int cue = TaskChecks.hot(episodes, b, t, 0, 2);
        correct[t] = (cue == go ? RESPOND : WITHHOLD) == episodes.targetClass(b, t);
        assertEquals(t != sample.reversalStep(b), correct[t], "episode " + b + " step " + t);
      }
      assertEquals(OptionalInt.of(1), stepsToCriterion(correct, sample.reversalStep(b), 3, 1.0));
    }
  }

  @Test
  void aPolicyThatIgnoresTheReversalFailsAfterIt() {
    Sample sample = new GoNoGoReversalTask(40).sampleWithReversals(400, new Random(7));
    Episodes episodes = sample.episodes();
    int keepsFirstRuleCorrect = 0;
    int alwaysCueZeroCorrect = 0;
    int afterReversal = 0;

    for (int b = 0; b < 400; b++) {
      for (int t = 0; t < 40; t++) {
        int cue = TaskChecks.hot(episodes, b, t, 0, 2);
        int target = episodes.targetClass(b, t);
        boolean keepsFirstRule = (cue == sample.firstGoCue(b) ? RESPOND : WITHHOLD) == target;
        if (t < sample.reversalStep(b)) {
          assertTrue(keepsFirstRule, "the first rule holds before the reversal");
        } else {
          afterReversal++;
          keepsFirstRuleCorrect += keepsFirstRule ? 1 : 0;
          alwaysCueZeroCorrect += (cue == 0 ? RESPOND : WITHHOLD) == target ? 1 : 0;
        }
      }
    }
    assertEquals(0, keepsFirstRuleCorrect);
    double fixed = alwaysCueZeroCorrect / (double) afterReversal;
    assertEquals(0.5, fixed, 0.05, "a fixed policy after the reversal");
  }

  @Test
  void stepsToCriterionFindsTheFirstWindowThatMeetsIt() {
    boolean[] correct = {false, true, false, true, true, true, false, true, true, true};

    assertEquals(OptionalInt.of(3), stepsToCriterion(correct, 0, 3, 1.0));
    assertEquals(OptionalInt.of(0), stepsToCriterion(correct, 3, 3, 1.0));
    assertEquals(OptionalInt.of(1), stepsToCriterion(correct, 2, 3, 1.0));
    assertEquals(OptionalInt.of(1), stepsToCriterion(correct, 0, 3, 2 / 3.0));
    assertEquals(OptionalInt.of(0), stepsToCriterion(correct, 0, 2, 0.5));
    assertEquals(OptionalInt.of(1), stepsToCriterion(correct, 0, 4, 0.75));
    assertEquals(OptionalInt.of(0), stepsToCriterion(correct, 7, 3, 1.0));
    assertEquals(OptionalInt.empty(), stepsToCriterion(correct, 0, 4, 1.0));
    assertEquals(OptionalInt.empty(), stepsToCriterion(correct, 8, 3, 1.0));
    assertEquals(OptionalInt.empty(), stepsToCriterion(correct, 10, 1, 1.0));
    assertEquals(OptionalInt.empty(), stepsToCriterion(new boolean[] {false, false}, 0, 1, 1.0));
  }

  @Test
  void rejectsBadArguments() {
    boolean[] correct = new boolean[4];

    assertEquals(
        "go/no-go reversal needs at least 3 steps, got 2",
        assertThrows(IllegalArgumentException.class, () -> new GoNoGoReversalTask(2)).getMessage());
    assertEquals(
        "criterion window must be at least 1 step, got 0",
        assertThrows(IllegalArgumentException.class, () -> stepsToCriterion(correct, 0, 0, 1))
            .getMessage());
    assertEquals(
        "criterion must be in (0, 1], got 1.5",
        assertThrows(IllegalArgumentException.class, () -> stepsToCriterion(correct, 0, 2, 1.5))
            .getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> stepsToCriterion(correct, 5, 2, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Sample(TASK.sample(2, new Random(1)), new int[1], new int[2]));
    TaskChecks.checkRejectsEmptyBatch(TASK);
  }
}
