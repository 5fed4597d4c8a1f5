package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EpisodeTasksTest {
  @Test
  void buildsEachTaskWithItsStandardSizes() {
    assertInstanceOf(CopyTask.class, EpisodeTasks.named("copy"));
    assertInstanceOf(AssociativeRecallTask.class, EpisodeTasks.named("associative"));
    assertInstanceOf(FewShotRegressionTask.class, EpisodeTasks.named("regression"));
    assertInstanceOf(GoNoGoReversalTask.class, EpisodeTasks.named("gonogo"));
    for (String name : EpisodeTasks.NAMES) {
      EpisodeTask task = EpisodeTasks.named(name);
      assertEquals(name, task.name());
      TaskChecks.sampleAndCheckShape(task, 2, 1);
      TaskChecks.checkUnscoredTargetsAreZero(task.sample(2, new Random(1)));
    }
  }

  @Test
  void unknownNameListsTheValidNames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EpisodeTasks.named("maze"));

    assertEquals(
        "unknown episode task 'maze', expected one of copy, associative, regression, gonogo",
        e.getMessage());
  }

  @Test
  void goNoGoAndCopyTakeTheirSizes() {
    GoNoGoReversalTask sized =
        (GoNoGoReversalTask) EpisodeTasks.named("gonogo", EpisodeTasks.Sizes.of(60, 8, null, null));
    assertEquals(60, sized.steps());
    assertEquals(8, sized.cues());
    GoNoGoReversalTask cuesOnly =
        (GoNoGoReversalTask)
            EpisodeTasks.named("gonogo", EpisodeTasks.Sizes.of(null, 4, null, null));
    assertEquals(40, cuesOnly.steps());
    assertEquals(4, cuesOnly.cues());
    CopyTask copy =
        (CopyTask) EpisodeTasks.named("copy", EpisodeTasks.Sizes.of(null, null, 12, 20));
    assertEquals(2 * 12 + 20, copy.steps());
    assertEquals(
        EpisodeTasks.named("copy").describe(),
        EpisodeTasks.named("copy", EpisodeTasks.Sizes.STANDARD).describe());
    assertEquals(OptionalInt.empty(), EpisodeTasks.named("copy").rewardChannel());
  }

  @Test
  void sizesATaskDoesNotTakeAreRefused() {
    assertEquals(
        "task 'copy' takes a length and a delay, not a number of steps or cues",
        assertThrows(
                IllegalArgumentException.class,
                () -> EpisodeTasks.named("copy", EpisodeTasks.Sizes.of(10, null, null, null)))
            .getMessage());
    assertEquals(
        "task 'gonogo' takes a number of steps and of cues, not a length or a delay",
        assertThrows(
                IllegalArgumentException.class,
                () -> EpisodeTasks.named("gonogo", EpisodeTasks.Sizes.of(null, null, 3, null)))
            .getMessage());
    assertEquals(
        "task 'regression' has fixed sizes; only gonogo takes steps and cues, only copy a length"
            + " and a delay",
        assertThrows(
                IllegalArgumentException.class,
                () -> EpisodeTasks.named("regression", EpisodeTasks.Sizes.of(null, null, 3, null)))
            .getMessage());
  }
}
