package dev.metaplastic.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.internal.ManifestFiles;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlasticCommandTest {
  @TempDir Path dir;

  /** Exit status and what the command wrote to out and err. */
  private record Run(int status, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(status, out.toString(), err.toString());
  }

  private static String[] tiny(String task, String rules, Path out) {
    return new String[] {
      "plastic",
      "--task",
      task,
      "--rules",
      rules,
      "--hidden",
      "8",
      "--episodes",
      "20",
      "--eval-every",
      "10",
      "--eval-episodes",
      "16",
      "--batch",
      "4",
      "--no-progress",
      "--out",
      out.toString()
    };
  }

  /** The table rows of plastic.md (lines starting with "| " after the separator). */
  private static List<String> rows(Path md) throws Exception {
    List<String> lines = Files.readAllLines(md);
    int separator = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("|---")) {
        separator = i;
      }
    }
    assertTrue(separator > 0, "no table in " + lines);
    return lines.subList(separator + 1, lines.size()).stream()
        .takeWhile(l -> l.startsWith("| "))
        .toList();
  }

  @Test
  void tinyAssociativeRunWritesTableAndPlot() throws Exception {
    Path out = dir.resolve("assoc");
    Run r = run(tiny("associative", "none,hebbian", out));
    assertEquals(0, r.status(), r.err());
    Path md = out.resolve("plastic.md");
    assertTrue(Files.exists(md));
    String text = Files.readString(md);
    assertTrue(text.contains("final accuracy"), text);
    assertTrue(text.contains("step time ÷ none"), text);
    assertTrue(!text.contains("after reversal"), text);
    List<String> rows = rows(md);
    assertEquals(2, rows.size(), text);
    assertTrue(rows.get(0).startsWith("| none | none rnn 17-8-8 x10 |"), rows.get(0));
    assertTrue(rows.get(1).startsWith("| hebbian | hebbian rnn 17-8-8 x10 |"), rows.get(1));
    assertTrue(rows.get(0).contains("| 1.00 |"), rows.get(0));
    assertTrue(r.out().contains(rows.get(1)), r.out());
    BufferedImage png = ImageIO.read(out.resolve("learning-curve.png").toFile());
    assertNotNull(png);
    assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
  }

  @Test
  void sameSeedGivesTheSameMetrics() throws Exception {
    Run a = run(tiny("associative", "hebbian", dir.resolve("a")));
    Run b = run(tiny("associative", "hebbian", dir.resolve("b")));
    assertEquals(0, a.status(), a.err());
    assertEquals(0, b.status(), b.err());
    String rowA = rows(dir.resolve("a").resolve("plastic.md")).get(0);
    String rowB = rows(dir.resolve("b").resolve("plastic.md")).get(0);
    // Everything up to the timing columns must agree.
    int cut = rowA.indexOf(" | ", rowA.indexOf("x10 | ") + 6);
    cut = rowA.indexOf(" | ", cut + 3);
    assertEquals(rowA.substring(0, cut), rowB.substring(0, cut));
  }

  @Test
  void gonogoRunReportsAdaptationAfterTheReversal() throws Exception {
    Path out = dir.resolve("gonogo");
    Run r = run(tiny("gonogo", "none,oja", out));
    assertEquals(0, r.status(), r.err());
    String text = Files.readString(out.resolve("plastic.md"));
    assertTrue(text.contains("after reversal"), text);
    assertTrue(text.contains("accuracy 10 steps before / after reversal"), text);
    List<String> rows = rows(out.resolve("plastic.md"));
    assertEquals(2, rows.size(), text);
    for (String row : rows) {
      assertEquals(10, row.split("\\|", -1).length, row);
      assertTrue(row.contains("of 16 episodes"), row);
      assertTrue(row.matches(".*\\| [01]\\.\\d{4} / [01]\\.\\d{4} \\|$"), row);
    }
  }

  /**
   * {@code --rule} is {@code --rules}; {@code --cues} and {@code --steps} size the go/no-go task;
   * the dopamine rule trains on it and its SavedModel records the reward channel.
   */
  @Test
  void dopamineOnASizedGonogoExportsItsRewardChannel() throws Exception {
    Path out = dir.resolve("gonogo8");
    Path models = dir.resolve("models8");
    String[] args = tiny("gonogo", "none,dopamine", out);
    args[3] = "--rule";
    Run r = run(with(args, "--cues", "4", "--steps", "12", "--export", models.toString()));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("gonogo: 4 cues, a random half of them Go"), r.out());
    List<String> rows = rows(out.resolve("plastic.md"));
    assertEquals(2, rows.size());
    assertTrue(rows.get(1).startsWith("| dopamine | dopamine rnn 5-8-2 x12 |"), rows.get(1));
    Manifest manifest = ManifestFiles.read(models.resolve("dopamine"));
    assertEquals("dopamine", manifest.getModel().getPlasticity());
    assertEquals(4, manifest.getModel().getRewardChannel());
    assertEquals(3, manifest.getFormatVersion());
    Run inspect = run("inspect", models.resolve("dopamine").toString());
    assertEquals(0, inspect.status(), inspect.err());
    assertTrue(inspect.out().contains("reward channel: input 4"), inspect.out());
    assertTrue(inspect.out().contains("dopamine/rnn/recurrent_kernel/value_kernel"), inspect.out());
  }

  @Test
  void dopamineNeedsATaskWithARewardChannelAndSizesOnlyGonogo() {
    Run copy = run(tiny("copy", "none,dopamine", dir.resolve("copy")));
    assertEquals(2, copy.status());
    assertEquals(
        "error: rule dopamine reads the task's reward channel, but task 'copy' has none; use it"
            + " with gonogo",
        copy.err().strip());
    Run cues = run(with(tiny("copy", "none", dir.resolve("copy")), "--cues", "4"));
    assertEquals(2, cues.status());
    assertEquals(
        "error: task 'copy' takes a length and a delay, not a number of steps or cues",
        cues.err().strip());
    Run odd = run(with(tiny("gonogo", "none", dir.resolve("odd")), "--cues", "3"));
    assertEquals(2, odd.status());
    assertEquals(
        "error: go/no-go reversal needs an even number of cues, at least 2 (half of them Go), got"
            + " 3",
        odd.err().strip());
    assertTrue(!Files.exists(dir.resolve("copy").resolve("plastic.md")));
  }

  @Test
  void regressionReportsMse() throws Exception {
    Path out = dir.resolve("regression");
    Run r = run(tiny("regression", "none", out));
    assertEquals(0, r.status(), r.err());
    String text = Files.readString(out.resolve("plastic.md"));
    assertTrue(text.contains("final MSE"), text);
    assertTrue(text.contains("MSE ≤ 0.1"), text);
  }

  @Test
  void unknownTaskIsOneErrorLine() {
    Run r = run("plastic", "--task", "x", "--no-progress", "--out", dir.toString());
    assertEquals(2, r.status());
    assertEquals(
        "error: unknown episode task 'x', expected one of copy, associative, regression, gonogo",
        r.err().strip());
    assertTrue(!Files.exists(dir.resolve("plastic.md")));
  }

  @Test
  void unknownRuleIsOneErrorLine() {
    Run r = run("plastic", "--rules", "none,foo", "--no-progress", "--out", dir.toString());
    assertEquals(2, r.status());
    assertEquals(
        "error: unknown rule 'foo'; expected one of none, hebbian, oja, neuromodulated, gradient,"
            + " dopamine",
        r.err().strip());
  }

  @Test
  void nonPositiveSizesAreRejected() {
    Run r = run("plastic", "--episodes", "0", "--no-progress", "--out", dir.toString());
    assertEquals(2, r.status());
    assertEquals("error: --episodes must be positive, got 0", r.err().strip());
  }

  @Test
  void divergedRunIsReportedNotFatal() throws Exception {
    Path out = dir.resolve("nan");
    String[] args = tiny("associative", "none,hebbian", out);
    String[] withLr = java.util.Arrays.copyOf(args, args.length + 2);
    withLr[args.length] = "--lr";
    withLr[args.length + 1] = "1e38";
    Run r = run(withLr);
    assertEquals(0, r.status(), r.err());
    List<String> rows = rows(out.resolve("plastic.md"));
    assertEquals(2, rows.size());
    for (String row : rows) {
      assertTrue(row.contains("diverged"), row);
    }
  }

  private static String[] with(String[] args, String... more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return all;
  }

  /**
   * {@code --export} writes one SavedModel per rule; {@code inspect} shows its plastic state, and
   * {@code export}, which takes a checkpoint, refuses it with one line.
   */
  @Test
  void exportWritesASavedModelPerRuleThatInspectShows() throws Exception {
    Path models = dir.resolve("models");
    Run r =
        run(
            with(
                tiny("associative", "none,hebbian", dir.resolve("report")),
                "--export",
                models.toString()));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("SavedModels of none, hebbian written to " + models), r.out());
    try (var entries = Files.list(dir)) {
      assertEquals(
          List.of("models", "report"),
          entries.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary directory is left");
    }
    Manifest manifest = ManifestFiles.read(models.resolve("hebbian"));
    assertEquals("associative", manifest.getEpisodeTraining().getTask());
    assertEquals(20, manifest.getEpisodeTraining().getTrainingSteps());
    assertEquals(80, manifest.getEpisodeTraining().getEpisodesTrained());
    assertEquals("hebbian", manifest.getModel().getPlasticity());
    assertEquals(List.of(8), manifest.getModel().getHiddenList());

    Run inspect = run("inspect", models.resolve("hebbian").toString());
    assertEquals(0, inspect.status(), inspect.err());
    assertTrue(inspect.out().contains("model plastic_rnn: input 17, hidden 8"), inspect.out());
    assertTrue(inspect.out().contains("trace [-1, 8, 8] per episode"), inspect.out());
    assertTrue(inspect.out().contains("hebbian/rnn/recurrent_kernel/alpha"), inspect.out());
    assertTrue(inspect.out().contains("serving_default"), inspect.out());
    assertTrue(inspect.out().contains("train_episode"), inspect.out());
    Run plain = run("inspect", models.resolve("none").toString());
    assertEquals(0, plain.status(), plain.err());
    assertTrue(plain.out().contains("plastic state: none"), plain.out());

    Path again = dir.resolve("again");
    Run export = run("export", models.resolve("hebbian").toString(), again.toString());
    assertEquals(2, export.status());
    assertEquals(1, export.err().strip().lines().count(), export.err());
    assertTrue(export.err().startsWith("error: "), export.err());
    assertTrue(export.err().contains("already a SavedModel"), export.err());
    assertTrue(!Files.exists(again));
  }

  /** A non-empty directory or a file as --export is refused before training, writing nothing. */
  @Test
  void exportIntoANonEmptyDirectoryOrAFileIsOneErrorLine() throws Exception {
    Path full = Files.createDirectories(dir.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "mine");
    Path report = dir.resolve("report");
    Run r = run(with(tiny("associative", "hebbian", report), "--export", full.toString()));
    assertEquals(2, r.status());
    assertEquals(
        "error: "
            + full.toAbsolutePath()
            + " already exists and is not empty; give a new or empty directory",
        r.err().strip());
    assertTrue(!Files.exists(report), "nothing was trained or written");
    try (var entries = Files.list(full)) {
      assertEquals(List.of("keep.txt"), entries.map(p -> p.getFileName().toString()).toList());
    }

    Path file = full.resolve("keep.txt");
    Run onFile = run(with(tiny("associative", "hebbian", report), "--export", file.toString()));
    assertEquals(2, onFile.status());
    assertEquals(
        "error: " + file.toAbsolutePath() + " is a file; give a new or empty directory",
        onFile.err().strip());
    assertEquals("mine", Files.readString(file));
    assertTrue(!Files.exists(report));
  }
}
