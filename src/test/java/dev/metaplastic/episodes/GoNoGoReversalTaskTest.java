package dev.metaplastic.episodes;

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
  private static final int FEEDBACK_CHANNEL = 2;

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
    assertEquals(2, TASK.cues());
    assertEquals(FEEDBACK_CHANNEL, TASK.feedbackChannel());
    assertEquals(OptionalInt.of(FEEDBACK_CHANNEL), TASK.rewardChannel());
  }

  @Test
  void isDeterministicForASeedAndSampleMatchesSampleWithReversals() {
    TaskChecks.checkDeterministic(TASK);
    Sample sample = TASK.sampleWithReversals(4, new Random(5));
    Sample again = TASK.sampleWithReversals(4, new Random(5));

    assertEquals(TASK.sample(4, new Random(5)), sample.episodes());
    assertArrayEquals(sample.reversalSteps(), again.reversalSteps());
    for (int b = 0; b < 4; b++) {
      assertArrayEquals(sample.goBeforeReversal()[b], again.goBeforeReversal()[b]);
    }
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
      firstGo[firstGoCue(sample, b)]++;
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
        int go = t < sample.reversalStep(b) ? firstGoCue(sample, b) : 1 - firstGoCue(sample, b);
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
        boolean keepsFirstRule = (cue == firstGoCue(sample, b) ? RESPOND : WITHHOLD) == target;
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

  // ---------------------------------------------------------------- K cues

  private static final GoNoGoReversalTask EIGHT = new GoNoGoReversalTask(30, 8);

  @Test
  void eightCuesHaveTheAdvertisedSizes() {
    assertEquals(8, EIGHT.cues());
    assertEquals(9, EIGHT.inputSize());
    assertEquals(8, EIGHT.feedbackChannel());
    assertEquals(OptionalInt.of(8), EIGHT.rewardChannel());
    assertEquals(
        "gonogo: 8 cues, a random half of them Go in each episode; respond to a Go cue, withhold"
            + " on No-Go; every cue flips unannounced between steps 10 and 20 (30 steps, 9 inputs,"
            + " 2 classes, teacher-forced feedback)",
        EIGHT.describe());
    TaskChecks.sampleAndCheckShape(EIGHT, 3, 1);
    TaskChecks.checkDeterministic(EIGHT);
  }

  /** Two cues through the K-cue constructor are the standard task, draw for draw. */
  @Test
  void twoCuesAreTheStandardTask() {
    assertEquals(
        TASK.sample(6, new Random(9)), new GoNoGoReversalTask(12, 2).sample(6, new Random(9)));
  }

  @Test
  void halfOfTheCuesAreGoAndEveryHalfIsDrawn() {
    Sample sample = EIGHT.sampleWithReversals(2000, new Random(8));
    int[] goCount = new int[8];
    java.util.Set<String> halves = new java.util.HashSet<>();
    for (int b = 0; b < 2000; b++) {
      int go = 0;
      StringBuilder half = new StringBuilder();
      for (int c = 0; c < 8; c++) {
        if (sample.goBeforeReversal()[b][c]) {
          go++;
          goCount[c]++;
          half.append(c);
        }
      }
      assertEquals(4, go, "episode " + b);
      halves.add(half.toString());
    }
    for (int c = 0; c < 8; c++) {
      assertEquals(1000, goCount[c], 90, "cue " + c + " is Go in about half of the episodes");
    }
    assertEquals(70, halves.size(), "every one of the C(8, 4) halves occurs");
  }

  @Test
  void anOracleThatKnowsTheHalvesAndTheReversalIsAlwaysRight() {
    Sample sample = EIGHT.sampleWithReversals(200, new Random(5));
    Episodes episodes = sample.episodes();

    for (int b = 0; b < 200; b++) {
      for (int t = 0; t < 30; t++) {
        int cue = TaskChecks.hot(episodes, b, t, 0, 8);
        assertTrue(cue >= 0, "one cue at step " + t);
        boolean goBefore = sample.goBeforeReversal()[b][cue];
        boolean go = t < sample.reversalStep(b) ? goBefore : !goBefore;
        assertEquals(go, sample.isGo(b, cue, t));
        assertEquals(go ? RESPOND : WITHHOLD, episodes.targetClass(b, t));
        if (t > 0) {
          float expected = episodes.targetClass(b, t - 1) == RESPOND ? 1 : -1;
          assertEquals(expected, episodes.input(b, t, 8), "feedback at " + t);
        }
      }
    }
  }

  /**
   * A learner that binds each cue to the outcome the feedback last reported for it is right exactly
   * on the steps whose cue was seen before, under the rule still in force; so it misses each cue's
   * first showing and each cue's first showing after the reversal that was seen before it.
   */
  @Test
  void aPolicyThatRemembersEachCueMissesOnlyNewAndFlippedCues() {
    Sample sample = EIGHT.sampleWithReversals(300, new Random(6));
    Episodes episodes = sample.episodes();
    int missed = 0;

    for (int b = 0; b < 300; b++) {
      int[] lastSeen = new int[8];
      java.util.Arrays.fill(lastSeen, -1);
      Boolean[] remembered = new Boolean[8];
      int previousCue = -1;
      for (int t = 0; t < 30; t++) {
        if (previousCue >= 0) {
          remembered[previousCue] = episodes.input(b, t, 8) == 1;
        }
        int cue = TaskChecks.hot(episodes, b, t, 0, 8);
        boolean guess = remembered[cue] != null && remembered[cue];
        boolean correct = (guess ? RESPOND : WITHHOLD) == episodes.targetClass(b, t);
        int r = sample.reversalStep(b);
        boolean knowable = lastSeen[cue] >= 0 && (lastSeen[cue] < r) == (t < r);
        if (knowable) {
          assertTrue(correct, "episode " + b + " step " + t + ": a remembered cue");
        } else {
          missed++;
        }
        lastSeen[cue] = t;
        previousCue = cue;
      }
    }
    double perEpisode = missed / 300.0;
    assertTrue(perEpisode > 10 && perEpisode < 17, "unknowable steps per episode: " + perEpisode);
  }

  @Test
  void cuesMustBeEvenAndAtLeastTwo() {
    for (int cues : new int[] {0, 1, 3, 7}) {
      assertEquals(
          "go/no-go reversal needs an even number of cues, at least 2 (half of them Go), got "
              + cues,
          assertThrows(IllegalArgumentException.class, () -> new GoNoGoReversalTask(12, cues))
              .getMessage());
    }
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
        () -> new Sample(TASK.sample(2, new Random(1)), new int[1], new boolean[2][2]));
    TaskChecks.checkRejectsEmptyBatch(TASK);
  }

  /** With two cues: the one cue that is Go before the reversal. */
  private static int firstGoCue(Sample sample, int b) {
    boolean[] go = sample.goBeforeReversal()[b];
    assertEquals(2, go.length);
    assertTrue(go[0] != go[1], "exactly one of two cues is Go");
    return go[0] ? 0 : 1;
  }
}
