package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.train.Checkpoints;
import dev.metaplastic.train.ModelSession;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM while it writes checkpoints, at random moments: every time, the checkpoint
 * {@code LATEST} names must be complete and restorable.
 */
class CheckpointKillTest {
  @TempDir Path dir;

  @Test
  void killedWriterLeavesARestorableCheckpoint() throws Exception {
    Random random = new Random(11);
    long previous = 0;
    int killedMidWrite = 0;
    for (int round = 0; round < 4; round++) {
      Process child =
          new ProcessBuilder(
                  List.of(
                      ProcessHandle.current().info().command().orElse("java"),
                      "-cp",
                      System.getProperty("java.class.path"),
                      CheckpointWriter.class.getName(),
                      dir.toString()))
              .redirectErrorStream(true)
              .start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        int saved = 0;
        while ((line = out.readLine()) != null && !(line.startsWith("saved") && ++saved >= 2)) {
          // wait for two checkpoints of this round
        }
        assertTrue(line != null, "the child JVM stopped before writing checkpoints");
        Thread.sleep(random.nextInt(20));
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      }
      try (var files = java.nio.file.Files.list(dir)) {
        if (files.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-"))) {
          killedMidWrite++;
        }
      }
      Path latest = Checkpoints.resolve(dir);
      long steps = Checkpoints.read(latest).steps();
      assertTrue(steps >= 2, "latest checkpoint " + latest);
      assertTrue(steps > previous, "round " + round + " should have added checkpoints");
      previous = steps;
      try (ModelSession model = CheckpointWriter.model()) {
        Checkpoints.restore(model, latest);
        assertEquals(CheckpointWriter.SPEC.inputSize() * 512, model.read("dense_0/kernel").length);
      }
    }
    assertTrue(killedMidWrite > 0, "no kill landed while a checkpoint was being written");
  }
}
