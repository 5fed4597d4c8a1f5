package dev.metaplastic.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.serve.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
  @TempDir static Path dir;
  private static Path multi;
  private static Path single;

  @BeforeAll
  static void exportModels() {
    multi = TestModels.multiHead(dir.resolve("multi"));
    single = TestModels.singleHead(dir.resolve("single"));
  }

  /** Exit status and what the command wrote to out and err. */
  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(status, out.toString(), err.toString());
  }

  private static Path csv(String name, String... lines) throws Exception {
    Path file = dir.resolve(name);
    Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    return file;
  }

  private static String expectedLine(float[] x, int head) {
    double[] p = TestModels.expected(x, head);
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    StringBuilder line = new StringBuilder().append(best);
    for (double v : p) {
      line.append(',').append(String.format(Locale.ROOT, "%.6f", v));
    }
    return line.toString();
  }

  private static String row(float[] x) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < x.length; i++) {
      line.append(i == 0 ? "" : ",").append(x[i]);
    }
    return line.toString();
  }

  @Test
  void printsArgmaxAndProbabilitiesPerExample() throws Exception {
    float[] a = TestModels.example(1);
    float[] b = TestModels.example(2);
    Path input = csv("examples.csv", "f0,f1,f2,f3", row(a), "", row(b));
    Run result = run("predict", multi.toString(), "--input", input.toString(), "--task", "1");
    assertEquals(0, result.status(), result.err());
    assertEquals(List.of(expectedLine(a, 1), expectedLine(b, 1)), result.out().lines().toList());

    result = run("predict", single.toString(), "--input", input.toString());
    assertEquals(0, result.status(), result.err());
    assertEquals(List.of(expectedLine(a, 0), expectedLine(b, 0)), result.out().lines().toList());
  }

  @Test
  void writesToOutputFile() throws Exception {
    float[] a = TestModels.example(5);
    Path input = csv("one.csv", row(a));
    Path output = dir.resolve("predictions.csv");
    Run result =
        run(
            "predict",
            single.toString(),
            "--input",
            input.toString(),
            "--output",
            output.toString());
    assertEquals(0, result.status(), result.err());
    assertEquals(List.of(expectedLine(a, 0)), Files.readAllLines(output));
    assertEquals("wrote 1 predictions to " + output, result.out().strip());
  }

  @Test
  void multiHeadNeedsTask() throws Exception {
    Path input = csv("task.csv", row(TestModels.example(1)));
    Run result = run("predict", multi.toString(), "--input", input.toString());
    assertEquals(2, result.status());
    assertEquals(
        "error: the model in " + multi + " is multi-head (2 heads): give the head with --task N",
        result.err().strip());

    result = run("predict", multi.toString(), "--input", input.toString(), "--task", "2");
    assertEquals(2, result.status());
    assertEquals(
        "error: --task 2 is out of range: the model in " + multi + " is multi-head (2 heads)",
        result.err().strip());
  }

  @Test
  void userErrorsNameFileAndLine() throws Exception {
    Path missing = dir.resolve("missing.csv");
    Run result = run("predict", single.toString(), "--input", missing.toString());
    assertEquals(2, result.status());
    assertEquals("error: input file " + missing + " does not exist", result.err().strip());

    String good = row(TestModels.example(1));
    Path bad = csv("bad.csv", "a,b,c,d", good, good, good, good, good, "1,2,x,4");
    result = run("predict", single.toString(), "--input", bad.toString());
    assertEquals(2, result.status());
    assertEquals("error: " + bad + " line 7, column 3: 'x' is not a number", result.err().strip());

    Path columns = csv("columns.csv", good, "1,2,3");
    result = run("predict", single.toString(), "--input", columns.toString());
    assertEquals(2, result.status());
    assertEquals(
        "error: " + columns + " line 2 has 3 values, expected 4 (the model's input size)",
        result.err().strip());

    Path headerOnly = csv("header.csv", "a,b,c,d");
    result = run("predict", single.toString(), "--input", headerOnly.toString());
    assertEquals(2, result.status());
    assertEquals("error: input file " + headerOnly + " has no examples", result.err().strip());

    result = run("predict", dir.resolve("nothing").toString(), "--input", columns.toString());
    assertEquals(2, result.status());
    assertTrue(result.err().startsWith("error: SavedModel directory "), result.err());

    result = run("predict", single.toString(), "--input", columns.toString(), "--task", "0");
    assertEquals(2, result.status());
    assertEquals(
        "error: the model in " + single + " is single-head: --task is not accepted",
        result.err().strip());
  }
}
