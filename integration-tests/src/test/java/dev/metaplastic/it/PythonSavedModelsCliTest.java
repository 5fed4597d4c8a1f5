package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line on SavedModels written by Python TensorFlow (the repository's
 * fixtures/python-tf).
 */
class PythonSavedModelsCliTest {
  private static final Path FIXTURES = Fixtures.savedModels("python-tf");

  @TempDir Path dir;

  @Test
  void inspectListsSignaturesAndVariablesOfBothFixtures() {
    CliRun v1 = CliRun.of("inspect", FIXTURES.resolve("half_plus_two_v1").toString());
    assertEquals(0, v1.status(), v1.err());
    assertTrue(v1.out().contains("  serving_default (tensorflow/serving/predict)"), v1.out());
    assertTrue(v1.out().contains("classify_x_to_y"), v1.out());
    assertTrue(v1.out().contains("manifest: none (not written by Metaplastic)"), v1.out());

    CliRun v2 = CliRun.of("inspect", FIXTURES.resolve("tf_function_v2").toString());
    assertEquals(0, v2.status(), v2.err());
    for (String signature : new String[] {"add", "get_variable", "get_const_matrix"}) {
      assertTrue(v2.out().contains("  " + signature), v2.out());
    }
    assertTrue(
        v2.out().matches("(?s).*\n  Variable +resource +float32 +\\[\\] +2\\.0\n.*"), v2.out());
  }

  @Test
  void predictCallsAPythonModelsServingSignature() throws Exception {
    Path input = dir.resolve("x.csv");
    Files.writeString(input, "1\n2\n5\n");
    CliRun run =
        CliRun.of(
            "predict",
            FIXTURES.resolve("half_plus_two_v1").toString(),
            "--input",
            input.toString());
    assertEquals(2, run.status(), run.out());
    assertTrue(
        run.err().startsWith("error: ") && run.err().contains("probabilities"),
        "half_plus_two has no probabilities output; the predictor must say so: " + run.err());
  }
}
