package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.serve.Predictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The example in {@code saved-models/}, exported by an earlier build, still loads with today's code
 * and predicts what it predicted when it was written ({@code saved-models/regenerate}).
 */
class SavedModelsExampleTest {
  private static final Path DIR = Path.of("..", "saved-models").toAbsolutePath().normalize();
  private static final Path MODEL = DIR.resolve("split-fmnist-si");

  @Test
  void predictorGivesTheRecordedPredictions() throws IOException {
    float[][] inputs = readCsv(DIR.resolve("inputs.csv"));
    try (Predictor predictor = Predictor.open(MODEL)) {
      for (int task : new int[] {0, 4}) {
        int[] tasks = new int[inputs.length];
        Arrays.fill(tasks, task);
        float[][] actual = predictor.predict(inputs, tasks);
        float[][] expected = readCsv(DIR.resolve("expected-task" + task + ".csv"));
        for (int i = 0; i < inputs.length; i++) {
          assertEquals((int) expected[i][0], argmax(actual[i]), "class of example " + i);
          for (int c = 0; c < actual[i].length; c++) {
            assertEquals(
                expected[i][c + 1], actual[i][c], 1.5e-6, "example " + i + " task " + task);
          }
        }
      }
    }
  }

  @Test
  void loadsForFurtherTrainingWithItsSynapticState() throws IOException {
    float[][] inputs = readCsv(DIR.resolve("inputs.csv"));
    try (LoadedModel loaded = SavedModels.load(MODEL)) {
      assertEquals(5, loaded.description().tasksConsolidated());
      assertEquals("si", loaded.description().rules().get(0));
      float[] importance = loaded.model().read("si/dense_0/kernel/importance");
      assertTrue(max(importance) > 0, "the example must carry the importance it consolidated");
      float[] flat = new float[inputs.length * inputs[0].length];
      for (int i = 0; i < inputs.length; i++) {
        System.arraycopy(inputs[i], 0, flat, i * inputs[i].length, inputs[i].length);
      }
      int[] tasks = new int[inputs.length];
      float[] probabilities = loaded.model().predict(flat, tasks, inputs.length);
      float[][] expected = readCsv(DIR.resolve("expected-task0.csv"));
      for (int i = 0; i < inputs.length; i++) {
        assertEquals(expected[i][1], probabilities[2 * i], 1.5e-6);
      }
    }
  }

  private static float[][] readCsv(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    float[][] rows = new float[lines.size()][];
    for (int i = 0; i < rows.length; i++) {
      String[] fields = lines.get(i).split(",");
      rows[i] = new float[fields.length];
      for (int j = 0; j < fields.length; j++) {
        rows[i][j] = Float.parseFloat(fields[j]);
      }
    }
    return rows;
  }

  private static int argmax(float[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }

  private static float max(float[] values) {
    float m = Float.NEGATIVE_INFINITY;
    for (float v : values) {
      m = Math.max(m, v);
    }
    return m;
  }
}
