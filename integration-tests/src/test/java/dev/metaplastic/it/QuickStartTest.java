package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.savedmodel.SavedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's quick start on Fashion-MNIST. */
class QuickStartTest {
  @TempDir Path dir;

  @Test
  void quickStartLearnsBothTasksAndExports() {
    Assumptions.assumeTrue(
        FashionMnist.isPresent(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed");
    Path export = dir.resolve("two-tasks");
    double[] accuracy = QuickStart.run(export);
    assertTrue(accuracy[0] > 0.8 && accuracy[1] > 0.8, java.util.Arrays.toString(accuracy));
    assertTrue(Files.isRegularFile(export.resolve("saved_model.pb")));
    assertTrue(SavedModels.readManifest(export).getTasksConsolidated() == 2);
  }
}
