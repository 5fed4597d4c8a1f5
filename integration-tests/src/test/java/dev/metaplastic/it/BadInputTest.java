package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.train.ModelSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input stops with one clear line naming the problem, and no stack trace. */
class BadInputTest {
  @TempDir Path dir;

  @Test
  void missingDataDirectory() {
    Path missing = dir.resolve("nowhere");
    CliRun run = CliRun.of("train", "--data-dir", missing.toString(), "--no-progress");
    assertUserError(run, "data directory " + missing + " does not exist");
  }

  @Test
  void malformedDataFiles() throws IOException {
    for (String name :
        List.of(
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte")) {
      Files.write(dir.resolve(name), new byte[] {0, 0, 8, 3, 0, 0});
    }
    CliRun run = CliRun.of("train", "--data-dir", dir.toString(), "--no-progress");
    assertUserError(run, dir.resolve("train-images-idx3-ubyte").toString());
  }

  @Test
  void divergingTrainingStopsWithNaNMessage() {
    CliRun run =
        CliRun.of(
            "train",
            "--stream",
            "generated",
            "--optimizer",
            "sgd",
            "--lr",
            "1e30",
            "--hidden",
            "16",
            "--epochs",
            "1",
            "--no-progress",
            "--out",
            dir.toString());
    assertUserError(run, "training diverged on task 0");
  }

  @Test
  void unknownRule() {
    CliRun run = CliRun.of("train", "--stream", "generated", "--rule", "magic", "--no-progress");
    assertUserError(
        run,
        "unknown rule 'magic'; expected none or one of si, ewc, online-ewc, mas, gpm, benna-fusi,"
            + " meta, neuromod-lr");
  }

  @Test
  void wrongShapedBatchNamesExpectedSize() {
    MlpSpec spec = new MlpSpec(784, List.of(8), 2, 2, 0);
    try (ModelSession model =
        new ModelSession(
            spec, new OptimizerConfig.Sgd(0.1), List.of(SynapticIntelligence.Config.SPLIT))) {
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> model.trainStep(new float[100], new int[4], new int[4], 4));
      assertEquals(
          "batch of 4 examples needs 3136 features (784 per example), got 100", e.getMessage());
      var label =
          assertThrows(
              IllegalArgumentException.class,
              () -> model.trainStep(new float[784], new int[] {5}, new int[] {0}, 1));
      assertEquals("label 5 of example 0 is outside [0, 2)", label.getMessage());
    }
  }

  private static void assertUserError(CliRun run, String expected) {
    assertEquals(2, run.status(), run.out() + run.err());
    assertTrue(run.err().contains(expected), "stderr should name the problem: " + run.err());
    assertTrue(run.err().startsWith("error: "), run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace expected: " + run.err());
    assertEquals(1, run.err().strip().lines().count(), "one line expected: " + run.err());
  }
}
