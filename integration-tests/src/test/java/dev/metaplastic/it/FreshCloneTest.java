package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two set-up commands on a fresh clone of this repository (its committed state) in a
 * temporary folder with nothing beside it, and with the default Fashion-MNIST directory pointed at
 * an empty folder: {@code ./mvnw -B verify} builds (Javadoc included) and passes the tests that
 * read the repository's fixtures (the consumer-project test {@code ReadmeQuickStartIT} is left to
 * the outer build), and {@code ./metaplastic demo} then runs without a rebuild, fetching the data
 * into the user's cache if needed, and ends with a table where fine-tuning is below SI, with no
 * TensorFlow log lines and one progress line per task (its standard error is not a terminal);
 * TensorFlow's native log shows only with {@code --verbose}.
 */
class FreshCloneTest {
  private static final long MINUTES = 40;

  @TempDir Path temp;

  @Test
  void setUpCommandsWorkOnAFreshCloneWithoutData() throws Exception {
    Path clone = temp.resolve("metaplastic");
    Path repository = Path.of("..").toAbsolutePath().normalize();
    assertEquals(
        0, run(temp, Map.of(), "git", "clone", "-q", repository.toString(), "metaplastic"));
    // The folder that held fixtures and notes beside the repository; spelt in two parts so that
    // this line does not match itself.
    String outside = "../sha" + "red";
    assertEquals(
        1, run(clone, Map.of(), "git", "grep", "-q", "-F", outside), "nothing reaches out");

    Map<String, String> noData =
        Map.of(
            "METAPLASTIC_FASHION_MNIST", Files.createDirectory(temp.resolve("empty")).toString());
    int verify =
        run(
            clone,
            noData,
            "./mvnw",
            "-B",
            "-q",
            "verify",
            "-Dtest=InspectCommandTest,PythonSavedModelsCliTest",
            "-DskipITs",
            "-Dsurefire.failIfNoSpecifiedTests=false");
    assertEquals(0, verify, tail(clone.resolve("command.out")));

    assertEquals(
        0, run(clone, noData, "./metaplastic", "demo"), tail(clone.resolve("command.err")));
    List<String> out = Files.readAllLines(clone.resolve("command.out"));
    String err = Files.readString(clone.resolve("command.err"));
    assertEquals(1, out.stream().filter(l -> l.startsWith("data: ")).count(), out.toString());
    double fineTuning = summary(out, "fine-tuning");
    double si = summary(out, "si");
    assertTrue(fineTuning < si - 0.05, "fine-tuning " + fineTuning + ", SI " + si);
    assertFalse(err.contains("absl") || err.contains("MLIR") || err.contains("tensorflow/"), err);
    assertTrue(err.contains("fine-tuning task 4: "), err);
    assertFalse(err.contains("\r"), err);

    String fixture = "fixtures/python-tf/half_plus_two_v1";
    assertEquals(0, run(clone, Map.of(), "./metaplastic", "inspect", fixture));
    assertEquals("", Files.readString(clone.resolve("command.err")));
    assertEquals(0, run(clone, Map.of(), "./metaplastic", "--verbose", "inspect", fixture));
    assertTrue(
        Files.readString(clone.resolve("command.err")).contains("MLIR V1 optimization pass"),
        "--verbose keeps TensorFlow's native log");
  }

  /** The mean average accuracy of {@code method} in the demo's summary table. */
  private static double summary(List<String> out, String method) {
    int table = 0;
    while (table < out.size() && !out.get(table).startsWith("Summary over")) {
      table++;
    }
    return out.subList(table, out.size()).stream()
        .filter(l -> l.startsWith(method + " "))
        .map(l -> Double.parseDouble(l.substring(method.length()).trim().split("\\s+")[0]))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + method + " row in " + out));
  }

  /** Runs a command in {@code dir}; its output goes to {@code dir/command.out} and {@code .err}. */
  private static int run(Path dir, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("command.out").toFile())
            .redirectError(dir.resolve("command.err").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(MINUTES, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " took over " + MINUTES + " minutes");
    }
    return process.exitValue();
  }

  private static String tail(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
