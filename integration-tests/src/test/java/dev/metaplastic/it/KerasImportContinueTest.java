package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.interop.SavedModelInfo;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Keras model trained in Python, imported through the CLI, keeps its accuracy, carries SI state
 * anchored at its imported weights, and keeps learning in Java with {@code train --init}.
 */
class KerasImportContinueTest {
  private static final Path KERAS = Fixtures.savedModels("python-keras").resolve("fmnist_mlp_sgd");

  @TempDir Path dir;

  @Test
  void importedModelKeepsItsAccuracyAndKeepsLearning() {
    Assumptions.assumeTrue(
        FashionMnist.isPresent(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed");
    Path imported = dir.resolve("imported");
    CliRun run = CliRun.of("import", KERAS.toString(), imported.toString());
    assertEquals(0, run.status(), run.err());
    assertTrue(run.out().contains("dense/kernel    [784, 300]  ->  dense_0/kernel"), run.out());

    try (LoadedModel loaded = SavedModels.load(imported);
        SavedModelInfo keras = SavedModelInfo.open(KERAS)) {
      double accuracy =
          loaded.model().evaluate(FashionMnist.load(FashionMnist.DEFAULT_DIR).test(), 1000);
      assertEquals(0.8844, accuracy, 0.0005);
      assertArrayEquals(keras.readFloat("dense/kernel"), loaded.model().read("dense_0/kernel"));
      assertArrayEquals(
          loaded.model().read("dense_0/kernel"),
          loaded.model().read("si/dense_0/kernel/task_start"),
          "SI must measure the next task's displacement from the imported weights");
      assertEquals(0, loaded.description().tasksConsolidated());
    }

    CliRun train =
        CliRun.of(
            "train",
            "--init",
            imported.toString(),
            "--stream",
            "permuted",
            "--tasks",
            "2",
            "--epochs",
            "1",
            "--no-progress",
            "--out",
            dir.resolve("out").toString());
    assertEquals(0, train.status(), train.err());
    assertTrue(train.out().contains("starting from " + imported), train.out());
    String line =
        train.out().lines().filter(l -> l.startsWith("average accuracy")).findFirst().orElseThrow();
    assertTrue(Double.parseDouble(line.split("\\s+")[2]) > 0.7, train.out());
  }
}
