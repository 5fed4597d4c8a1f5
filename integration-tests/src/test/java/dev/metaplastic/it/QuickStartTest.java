package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.savedmodel.SavedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's quick start on Fashion-MNIST. */
class QuickStartTest {
  @TempDir Path dir;

  /** The README shows exactly the code this test runs. */
  @Test
  void readmeShowsTheQuickStartVerbatim() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("```java\n", readme.indexOf("## Java quick start")) + 8;
    String shown = readme.substring(start, readme.indexOf("```\n", start));
    String source = Files.readString(Path.of("src/test/java/dev/metaplastic/it/QuickStart.java"));
    String begin = "// README quick start begins\n";
    String body =
        source.substring(
            source.indexOf(begin) + begin.length(),
            source.indexOf("    // README quick start ends"));
    String dedented =
        body.lines()
            .map(l -> l.length() >= 4 ? l.substring(4) : l.strip())
            .collect(Collectors.joining("\n", "", "\n"));
    assertEquals(dedented, shown);
  }

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
