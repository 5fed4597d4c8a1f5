package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo and train commands end to end on the generated stream, which needs no download. */
class DemoPathTest {
  @TempDir Path out;

  @Test
  void demoOnGeneratedStreamPrintsSummaryAndWritesPlots() throws IOException {
    CliRun run =
        CliRun.of(
            "demo",
            "--stream",
            "generated",
            "--seeds",
            "2",
            "--epochs",
            "1",
            "--hidden",
            "64,64",
            "--no-progress",
            "--out",
            out.toString());
    assertEquals(0, run.status(), run.err());
    assertTrue(run.out().contains("Summary over 2 seeds"), run.out());
    assertTrue(run.out().contains("fine-tuning"), run.out());
    assertTrue(run.out().contains("si "), run.out());
    assertTrue(run.out().contains("joint"), run.out());
    for (String png :
        new String[] {"average-accuracy.png", "accuracy-si.png", "accuracy-fine-tuning.png"}) {
      Path file = out.resolve(png);
      assertTrue(Files.size(file) > 1000, png + " should be a real PNG");
      byte[] head = Files.readAllBytes(file);
      assertEquals((byte) 0x89, head[0]);
      assertEquals('P', head[1]);
    }
  }

  @Test
  void trainReportsAccuracyMatrixAboveChance() {
    CliRun run =
        CliRun.of(
            "train",
            "--stream",
            "generated",
            "--rule",
            "si",
            "--epochs",
            "2",
            "--hidden",
            "64",
            "--no-progress",
            "--out",
            out.toString());
    assertEquals(0, run.status(), run.err());
    String line =
        run.out().lines().filter(l -> l.startsWith("average accuracy")).findFirst().orElseThrow();
    double average = Double.parseDouble(line.split("\\s+")[2]);
    assertTrue(average > 0.75, "average accuracy on the generated stream: " + line);
  }
}
