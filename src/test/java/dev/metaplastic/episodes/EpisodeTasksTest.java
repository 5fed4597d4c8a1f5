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
  void onlyGoNoGoTakesSizes() {
    GoNoGoReversalTask sized =
        (GoNoGoReversalTask) EpisodeTasks.named("gonogo", OptionalInt.of(60), OptionalInt.of(8));
    assertEquals(60, sized.steps());
    assertEquals(8, sized.cues());
    GoNoGoReversalTask cuesOnly =
        (GoNoGoReversalTask) EpisodeTasks.named("gonogo", OptionalInt.empty(), OptionalInt.of(4));
    assertEquals(40, cuesOnly.steps());
    assertEquals(4, cuesOnly.cues());
    assertEquals(
        EpisodeTasks.named("copy").describe(),
        EpisodeTasks.named("copy", OptionalInt.empty(), OptionalInt.empty()).describe());
    assertEquals(OptionalInt.empty(), EpisodeTasks.named("copy").rewardChannel());
    assertEquals(
        "task 'copy' has fixed sizes; only gonogo takes a number of steps or cues",
        assertThrows(
                IllegalArgumentException.class,
                () -> EpisodeTasks.named("copy", OptionalInt.of(10), OptionalInt.empty()))
            .getMessage());
  }
}
