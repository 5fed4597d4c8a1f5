package dev.metaplastic.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NeuromodCommandTest {
  @TempDir Path dir;

  private record Run(int status, String out, String err) {}

  private static Run run(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    return new Run(status, out.toString(), err.toString());
  }

  private static List<String> tiny(Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "neuromod",
                "--trials",
                "14",
                "--min-block",
                "4",
                "--max-block",
                "5",
                "--hidden",
                "6",
                "--episodes",
                "6",
                "--batch",
                "4",
                "--eval-every",
                "3",
                "--eval-episodes",
                "12",
                "--no-progress",
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    return args;
  }

  @Test
  void tinyStudyWritesTablesAndCurves() throws Exception {
    Path out = dir.resolve("study");
    Run r = run(tiny(out, "--conditions", "rnn,da+na+ach+5ht", "--seeds", "3,4"));
    assertEquals(0, r.status(), r.err());
    String md = Files.readString(out.resolve("neuromod.md"));
    for (String row : List.of("| rnn | 2 |", "| da+na+ach+5ht | 2 |")) {
      assertTrue(md.contains(row), row + " in " + md);
    }
    assertTrue(md.contains("trials to criterion after a reversal"), md);
    assertTrue(md.contains("| da+na+ach+5ht | 4 | "), "per-seed rows: " + md);
    assertTrue(md.contains(" ± "), md);
    for (String png : List.of("learning-curve.png", "reversal.png", "modulators.png")) {
      BufferedImage image = ImageIO.read(out.resolve(png).toFile());
      assertNotNull(image, png);
      assertTrue(image.getWidth() > 100, png);
    }
    Run again = run(tiny(dir.resolve("again"), "--conditions", "da+na+ach+5ht", "--seeds", "3"));
    assertEquals(0, again.status(), again.err());
    String line =
        r.out().lines().filter(l -> l.startsWith("da+na+ach+5ht ")).findFirst().orElseThrow();
    assertTrue(again.out().contains(line.substring(0, line.indexOf("(") - 1)), "bit for bit");
  }

  @Test
  void badInputIsOneLineAndWritesNothing() {
    for (List<String> bad :
        List.of(
            List.of("--conditions", "da+gaba"),
            List.of("--cues", "3"),
            List.of("--validity", "0.4"),
            List.of("--na-reset", "2"),
            List.of("--seeds", "0", "--conditions", "rnn,da+na", "--na-gain", "-1"),
            List.of("--conditions", "rnn,none,da+na", "--ach-slope", "3"),
            List.of("--conditions", "da+na+ach", "--5ht-rate", "0.1"))) {
      Path out = dir.resolve("bad");
      Run r = run(tiny(out, bad.toArray(String[]::new)));
      assertEquals(2, r.status(), bad + ": " + r.err());
      assertTrue(r.err().startsWith("error: "), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertFalse(Files.exists(out), bad + " wrote " + out);
    }
  }
}
