package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.train.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's checkpoint, resume, export and inspect paths, end to end. */
class CliCheckpointExportTest {
  @TempDir Path dir;

  @Test
  void trainCheckpointsResumesExportsAndInspects() throws Exception {
    Path out = dir.resolve("run");
    Path model = dir.resolve("model");
    CliRun train =
        CliRun.of(
            "train",
            "--stream",
            "generated",
            "--tasks",
            "3",
            "--hidden",
            "32",
            "--epochs",
            "1",
            "--checkpoint-every",
            "5",
            "--no-progress",
            "--out",
            out.toString(),
            "--export",
            model.toString());
    assertEquals(0, train.status(), train.err());
    assertTrue(train.out().contains("SavedModel written to " + model), train.out());
    Path store = out.resolve("checkpoints");
    assertEquals(3, Checkpoints.read(Checkpoints.resolve(store)).task());

    Path midRun;
    try (var checkpoints = Files.list(store)) {
      midRun =
          checkpoints
              .filter(p -> p.getFileName().toString().startsWith("ckpt-"))
              .sorted()
              .findFirst()
              .orElseThrow();
    }
    CliRun resumed =
        CliRun.of("train", "--resume", midRun.toString(), "--no-progress", "--out", out.toString());
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.out().startsWith("resuming " + midRun), resumed.out());
    assertEquals(
        averageLine(train.out()), averageLine(resumed.out()), "a resumed run ends where it ended");

    Path exported = dir.resolve("exported");
    CliRun export = CliRun.of("export", store.toString(), exported.toString());
    assertEquals(0, export.status(), export.err());
    CliRun inspect = CliRun.of("inspect", exported.toString());
    assertEquals(0, inspect.status(), inspect.err());
    assertTrue(inspect.out().contains("rule si {c=1.0, xi=0.001}"), inspect.out());
    assertTrue(inspect.out().contains("si/dense_0/kernel/importance"), inspect.out());
    assertTrue(inspect.out().contains("tasks consolidated: 3"), inspect.out());
  }

  private static String averageLine(String out) {
    return out.lines().filter(l -> l.startsWith("average accuracy")).findFirst().orElseThrow();
  }
}
