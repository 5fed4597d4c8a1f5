package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.Task;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.Checkpoints;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.SavedRun;
import dev.metaplastic.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped mid-task and resumed from its checkpoint ends exactly where a whole run ends. */
class CheckpointResumeTest {
  @TempDir Path dir;

  /** Thrown by a listener to stop a run abruptly. */
  private static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void resumedRunEqualsUninterruptedRun() throws Exception {
    Path whole = dir.resolve("whole");
    AccuracyMatrix expected =
        new ContinualTrainer(Fixtures.config(), TrainingListener.NONE)
            .withCheckpoints(new Checkpoints(whole), 10)
            .run(Fixtures.STREAM);

    Path interrupted = dir.resolve("interrupted");
    TrainingListener stopper =
        new TrainingListener() {
          private long steps;

          @Override
          public void stepFinished(Task task, long step, ModelSession.StepResult result) {
            if (++steps == 57) {
              throw new Stop();
            }
          }
        };
    assertThrows(
        Stop.class,
        () ->
            new ContinualTrainer(Fixtures.config(), stopper)
                .withCheckpoints(new Checkpoints(interrupted), 10)
                .run(Fixtures.STREAM));
    Path latest = Checkpoints.resolve(interrupted);
    SavedRun run = Checkpoints.read(latest);
    assertEquals(50, run.steps());
    assertTrue(run.offset() > 0 || run.epoch() > 0, "stopped mid-task: " + run);

    AccuracyMatrix resumed =
        ContinualTrainer.resume(latest, Fixtures.STREAM, TrainingListener.NONE, 10);
    for (int i = 0; i < expected.tasks(); i++) {
      for (int j = 0; j <= i; j++) {
        assertEquals(expected.get(i, j), resumed.get(i, j), "R[" + i + "][" + j + "]");
      }
    }
    Path a = Checkpoints.resolve(whole);
    Path b = Checkpoints.resolve(interrupted);
    assertEquals(a.getFileName(), b.getFileName());
    assertArrayEquals(
        Files.readAllBytes(a.resolve("variables.data-00000-of-00001")),
        Files.readAllBytes(b.resolve("variables.data-00000-of-00001")),
        "final weights, optimizer slots and SI state must be bit-identical");
    try (ModelSession one =
            new ContinualTrainer(Fixtures.config(), TrainingListener.NONE).open(Fixtures.STREAM);
        ModelSession two =
            new ContinualTrainer(Fixtures.config(), TrainingListener.NONE).open(Fixtures.STREAM)) {
      Checkpoints.restore(one, a);
      Checkpoints.restore(two, b);
      Map<String, float[]> x = Fixtures.snapshot(one);
      Map<String, float[]> y = Fixtures.snapshot(two);
      x.forEach((name, values) -> assertArrayEquals(values, y.get(name), name));
    }
  }

  @Test
  void keepsOnlyTheNewestCheckpoints() throws Exception {
    Path store = dir.resolve("store");
    new ContinualTrainer(Fixtures.config(), TrainingListener.NONE)
        .withCheckpoints(new Checkpoints(store), 5)
        .run(Fixtures.STREAM);
    try (var files = Files.list(store)) {
      long checkpoints = files.filter(p -> p.getFileName().toString().startsWith("ckpt-")).count();
      assertEquals(Checkpoints.KEEP, checkpoints);
    }
    assertEquals(3, Checkpoints.read(Checkpoints.resolve(store)).task());
  }

  @Test
  void missingCheckpointIsAClearError() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> Checkpoints.resolve(dir.resolve("none")));
    assertEquals("checkpoint directory " + dir.resolve("none") + " does not exist", e.getMessage());
    var empty = assertThrows(IllegalArgumentException.class, () -> Checkpoints.resolve(dir));
    assertTrue(empty.getMessage().contains("holds no checkpoint"), empty.getMessage());
  }
}
