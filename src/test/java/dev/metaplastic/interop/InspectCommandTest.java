package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code metaplastic inspect} through {@link Main#run(PrintWriter, PrintWriter, String...)}. */
class InspectCommandTest {
  @TempDir Path temp;

  private record Run(int status, String out, String err) {}

  private static Run inspect(Path dir) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status =
        Main.run(new PrintWriter(out, true), new PrintWriter(err, true), "inspect", dir.toString());
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void printsSignaturesAndVariablesOfHalfPlusTwo() {
    Path dir = Fixtures.pythonTf("half_plus_two_v1");
    Run run = inspect(dir);
    assertEquals(0, run.status(), run.err());
    String out = run.out();
    assertTrue(out.startsWith("SavedModel " + dir + " (tag serve)\n"), out);
    assertTrue(out.contains("signatures: 6\n"), out);
    assertTrue(out.contains("  serving_default (tensorflow/serving/predict)\n"), out);
    assertTrue(out.contains("    input   x  float32  [-1, 1]  x:0\n"), out);
    assertTrue(out.contains("    output  y  float32  [-1, 1]  y:0\n"), out);
    assertTrue(out.contains("variables: 4\n"), out);
    assertTrue(out.contains("  a                ref   float32  []     0.5\n"), out);
    assertTrue(out.contains("  c                ref   float32  []     3.0\n"), out);
    assertTrue(out.contains("  filename_tensor  ref   string   []\n"), out);
    assertTrue(out.endsWith("manifest: none (not written by Metaplastic)\n"), out);
  }

  @Test
  void summarisesLargeVariables() {
    Run run = inspect(Fixtures.pythonKeras("fmnist_mlp_sgd"));
    assertEquals(0, run.status(), run.err());
    assertTrue(
        run.out()
            .matches(
                "(?s).*\n  dense/kernel +resource +float32 +\\[784, 300\\] +mean \\S+  min \\S+  max \\S+\n.*"),
        run.out());
    assertTrue(run.out().contains("    input   input_1  float32  [-1, 28, 28]"), run.out());
    assertTrue(
        run.out().matches("(?s).*\n  SGD/iter +resource +int64 +\\[\\] +51570\n.*"), run.out());
  }

  @Test
  void showsIntegerScalars() {
    Run run = inspect(Path.of("..", "saved-models", "split-fmnist-si"));
    assertEquals(0, run.status(), run.err());
    assertTrue(
        run.out().matches("(?s).*\n  tasks_consolidated +ref +int32 +\\[\\] +5\n.*"), run.out());
  }

  @Test
  void reportsAManifest() throws IOException {
    Path copy = Fixtures.copyTree(Fixtures.pythonTf("half_plus_two_v1"), temp.resolve("m"));
    Files.writeString(copy.resolve("assets/metaplastic.pbtxt"), "format_version: 1\n");
    Run run = inspect(copy);
    assertEquals(0, run.status(), run.err());
    assertTrue(run.out().contains("manifest: format 1, written by \n"), run.out());
  }

  @Test
  void missingDirectoryIsAUserError() {
    Path missing = temp.resolve("nowhere");
    Run run = inspect(missing);
    assertEquals(2, run.status());
    assertEquals("error: SavedModel directory " + missing + " does not exist\n", run.err());
    assertEquals("", run.out());
  }
}
