package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metaplastic compare} trains every method on the same generated stream in one run and
 * writes a markdown table with one row per method and a heat map per sequential method.
 */
class CompareCommandTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| ([^|]+) \\| (0\\.\\d{4}|1\\.0000) \\|", Pattern.MULTILINE);

  @TempDir Path dir;

  @Test
  void everyDefaultRuleSideBySide() throws IOException {
    CliRun run = compare(dir.resolve("real"), "--tasks", "3", "--samples", "32");
    assertEquals(0, run.status(), run.out() + run.err());
    String md = Files.readString(dir.resolve("real/compare.md"));
    List<String> methods =
        List.of("finetune", "joint", "si", "ewc", "online-ewc", "mas", "benna-fusi");
    assertRows(md, 7);
    for (String method : methods) {
      if (!method.equals("joint")) {
        assertPng(dir.resolve("real/accuracy-matrix-" + method + ".png"));
      }
    }
    assertFalse(Files.exists(dir.resolve("real/accuracy-matrix-joint.png")));
    assertPng(dir.resolve("real/average-accuracy.png"));
    assertTrue(md.contains("ewc(lambda="), md);
    assertTrue(md.contains("benna_fusi("), md);
    assertTrue(md.contains(" %"), "gap recovered column: " + md);
  }

  @Test
  void binarizedComparesMetaplasticityWithPlainBinarizedNetwork() throws IOException {
    CliRun run = compare(dir.resolve("bnn"), "--tasks", "2", "--binarized");
    assertEquals(0, run.status(), run.out() + run.err());
    String md = Files.readString(dir.resolve("bnn/compare.md"));
    assertRows(md, 3);
    assertTrue(md.contains("meta(m="), md);
    assertPng(dir.resolve("bnn/accuracy-matrix-meta.png"));
  }

  /** Rules joined with + train in one graph: EWC's penalty gated by the neuromodulated rate. */
  @Test
  void rulesJoinedWithPlusShareOneGraph() throws IOException {
    CliRun run =
        compare(
            dir.resolve("gate"),
            "--tasks",
            "2",
            "--samples",
            "32",
            "--rules",
            "finetune,ewc+neuromod-lr");
    assertEquals(0, run.status(), run.out() + run.err());
    String md = Files.readString(dir.resolve("gate/compare.md"));
    assertRows(md, 2);
    assertTrue(md.contains("| ewc(lambda=1000.0, samples=32) + neuromod_lr(kappa="), md);
    assertPng(dir.resolve("gate/accuracy-matrix-ewc+neuromod-lr.png"));
    CliRun twoTransforms =
        compare(dir.resolve("two"), "--tasks", "2", "--samples", "32", "--rules", "gpm+meta");
    assertEquals(2, twoTransforms.status(), twoTransforms.out() + twoTransforms.err());
    assertTrue(
        twoTransforms.err().contains("at most one rule may transform the optimizer's steps"),
        twoTransforms.err());
    CliRun twice = compare(dir.resolve("twice"), "--rules", "ewc+ewc");
    assertEquals(2, twice.status(), twice.out() + twice.err());
  }

  /** Neuromodulators joined to a rule gate it; --seeds gives mean ± sd over the seeds. */
  @Test
  void neuromodulatorsGateARuleOverSeveralSeeds() throws IOException {
    CliRun run =
        compare(
            dir.resolve("neuromod"),
            "--tasks",
            "2",
            "--rules",
            "finetune,joint,si+na+ach",
            "--seeds",
            "0,1");
    assertEquals(0, run.status(), run.out() + run.err());
    String md = Files.readString(dir.resolve("neuromod/compare.md"));
    assertTrue(md.contains("seeds 0, 1"), md);
    assertTrue(md.contains("| si(c=1.0, xi=0.001) + neuromod_gate(da=off, na=on, ach=on, "), md);
    assertTrue(md.contains("average accuracy per seed"), md);
    assertTrue(md.contains(" ± "), md);
    assertPng(dir.resolve("neuromod/accuracy-matrix-si+na+ach.png"));
    assertPng(dir.resolve("neuromod/average-accuracy.png"));
    CliRun serotonin = compare(dir.resolve("5ht"), "--rules", "si+5ht");
    assertEquals(2, serotonin.status(), serotonin.out() + serotonin.err());
    assertTrue(serotonin.err().startsWith("error: unknown method 'si+5ht'"), serotonin.err());
  }

  @Test
  void unknownMethodFailsBeforeTraining() {
    CliRun run = compare(dir.resolve("bad"), "--rules", "finetune,magic");
    assertEquals(2, run.status(), run.out() + run.err());
    assertTrue(
        run.err().startsWith("error: unknown method 'magic'; expected finetune, joint or one of"),
        run.err());
    assertFalse(Files.exists(dir.resolve("bad")));
  }

  private static CliRun compare(Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "compare",
                "--stream",
                "generated",
                "--hidden",
                "32",
                "--epochs",
                "1",
                "--no-progress",
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    return CliRun.of(args.toArray(String[]::new));
  }

  private static void assertRows(String md, int expected) {
    Matcher m = ROW.matcher(md);
    int rows = 0;
    while (m.find()) {
      rows++;
    }
    assertEquals(expected, rows, md);
  }

  private static void assertPng(Path file) throws IOException {
    BufferedImage image = ImageIO.read(file.toFile());
    assertNotNull(image, file + " is not a PNG");
    assertTrue(image.getWidth() > 100 && image.getHeight() > 100, file.toString());
  }
}
