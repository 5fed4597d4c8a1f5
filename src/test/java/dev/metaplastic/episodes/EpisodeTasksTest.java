package dev.metaplastic.episodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
