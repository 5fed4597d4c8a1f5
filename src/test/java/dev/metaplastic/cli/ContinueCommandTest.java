package dev.metaplastic.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.interop.Fixtures;
import dev.metaplastic.interop.KerasLikeModels;
import dev.metaplastic.interop.KerasLikeModels.Dense;
import dev.metaplastic.interop.SavedModelInfo;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metaplastic continue} on the Keras fixture {@code fmnist_mlp_sgd}: a small run writes the
 * report, heat maps, trade-off chart and drop-in exports with the Keras accuracy as the starting
 * point; each bad input stops with one error line and writes nothing.
 */
class ContinueCommandTest {
  private static final double KERAS_ACCURACY = 0.8844;

  @TempDir Path dir;

  private Path keras;

  @BeforeEach
  void fashionMnistIsInstalled() {
    Assumptions.assumeTrue(
        FashionMnist.isPresent(FashionMnist.DEFAULT_DIR),
        "Fashion-MNIST is not installed in " + FashionMnist.DEFAULT_DIR);
    keras = Fixtures.pythonKeras("fmnist_mlp_sgd");
  }

  private record Run(int status, String out, String err) {}

  /** Runs {@code continue} with small settings (1 new task, 1 epoch, 2000 images, 1 seed). */
  private static Run run(Path from, Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "continue",
                "--from",
                from.toString(),
                "--tasks",
                "1",
                "--epochs",
                "1",
                "--train-examples",
                "2000",
                "--seeds",
                "0",
                "--no-progress",
                "--out",
                out.toString()));
    args.addAll(List.of(extra));
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    int status =
        Main.run(new PrintWriter(stdout), new PrintWriter(stderr), args.toArray(String[]::new));
    return new Run(status, stdout.toString(), stderr.toString());
  }

  @Test
  void smallRunWritesReportPlotsAndDropInExports() throws IOException {
    Path out = dir.resolve("out");
    Path export = dir.resolve("export");
    Run run =
        run(
            keras,
            out,
            "--rules",
            "finetune,ewc",
            "--sweep",
            "ewc:lambda=10,100",
            "--export",
            export.toString());
    assertEquals(0, run.status(), run.out() + run.err());
    assertTrue(run.out().contains("dense/kernel    [784, 300]  ->  dense_0/kernel"), run.out());

    // Row 0 of every accuracy matrix is the Keras model's own accuracy on its task.
    Matcher start = Pattern.compile("(?m)^0 +(0\\.\\d{4}) *$").matcher(run.out());
    int matrices = 0;
    while (start.find()) {
      assertEquals(KERAS_ACCURACY, Double.parseDouble(start.group(1)), 5e-5, run.out());
      matrices++;
    }
    assertEquals(2, matrices, "one matrix for fine-tuning, one for EWC: " + run.out());

    String md = Files.readString(out.resolve("continue.md"));
    double[] finetune = row(md, "fine-tuning");
    double[] joint = row(md, "joint training (upper bound)");
    double[] ewc = row(md, "ewc(lambda=100.0, samples=1024)");
    assertTrue(finetune[0] < KERAS_ACCURACY - 0.05, "fine-tuning forgets: " + md);
    assertTrue(joint[0] > finetune[0], "joint training keeps more of the original task: " + md);
    for (double[] r : List.of(finetune, joint, ewc)) {
      assertTrue(r[1] > 0.3 && r[1] <= 1, "the new task is learned: " + md);
      assertEquals((r[0] + r[1]) / 2, r[2], 1e-4, "average of the two tasks: " + md);
    }
    assertTrue(md.contains("; test accuracy 0.8844 on the Fashion-MNIST test set"), md);
    assertTrue(md.contains("| ewc(lambda=10.0, samples=1024) |"), md);
    assertTrue(md.contains(" % ± "), "gap recovered: " + md);
    for (String png :
        List.of(
            "accuracy-matrix-finetune.png", "accuracy-matrix-ewc.png", "tradeoff-ewc-lambda.png")) {
      assertPng(out.resolve(png));
    }

    try (Stream<Path> models = Files.list(export)) {
      assertEquals(
          List.of("ewc", "finetune"),
          models.map(p -> p.getFileName().toString()).sorted().toList());
    }
    try (SavedModelInfo exported = SavedModelInfo.open(export.resolve("ewc"))) {
      assertEquals(
          List.of("input_1"),
          exported.signature("serving_default").inputs().stream().map(t -> t.key()).toList(),
          "drop-in: the Keras input key");
    }
    assertTrue(
        Files.readString(export.resolve("ewc/assets/metaplastic.pbtxt"))
            .contains("reference_accuracy: 0.884"),
        "the manifest records the Keras accuracy");
    assertNoTemporaries();
  }

  @Test
  void missingOrCorruptSourceIsRefused() throws IOException {
    assertRefused(
        run(dir.resolve("missing"), dir.resolve("out")),
        "error: " + dir.resolve("missing") + " does not exist");

    Path corrupt = Fixtures.copyTree(keras, dir.resolve("corrupt"));
    try (RandomAccessFile data =
        new RandomAccessFile(
            corrupt.resolve("variables/variables.data-00000-of-00001").toFile(), "rw")) {
      data.setLength(1000);
    }
    assertRefused(
        run(corrupt, dir.resolve("out")),
        "error: cannot load SavedModel " + corrupt + " (its graph or variables are damaged)");
  }

  @Test
  void modelThatIsNotADenseClassifierIsRefused() {
    Path halfPlusTwo = Fixtures.pythonTf("half_plus_two_v1");
    assertRefused(
        run(halfPlusTwo, dir.resolve("out")),
        "error: "
            + halfPlusTwo
            + ": serving_default reads placeholder tf_example besides its input");
  }

  @Test
  void dataThatDoesNotFitTheModelIsRefused() throws IOException {
    Path five =
        KerasLikeModels.export(
            dir.resolve("five"),
            "input_1",
            new long[] {28, 28},
            List.of(new Dense("d", 8, "relu"), new Dense("d_1", 5, "softmax")),
            "out");
    assertRefused(
        run(five, dir.resolve("out")),
        "error: "
            + five
            + " has 5 classes, but the Fashion-MNIST test set in "
            + FashionMnist.DEFAULT_DIR
            + " has 10");

    Path notData = Files.createDirectories(dir.resolve("not-data"));
    assertRefused(
        run(keras, dir.resolve("out"), "--data-dir", notData.toString()),
        "error: data directory " + notData + " has no train-images-idx3-ubyte");
  }

  @Test
  void unknownRuleOrSweepIsRefused() {
    assertRefused(
        run(keras, dir.resolve("out"), "--rules", "finetune,magic"),
        "error: unknown rule 'magic'; expected finetune, joint or one of si, ewc, online_ewc,");
    assertRefused(
        run(keras, dir.resolve("out"), "--sweep", "ewc:c=1,2"),
        "error: --sweep ewc:c=1,2: rule ewc has no hyperparameter 'c'; it has lambda, samples");
  }

  @Test
  void nonEmptyOutputDirectoriesAreRefused() throws IOException {
    Path full = Files.createDirectories(dir.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "mine");
    assertRefused(
        run(keras, full),
        "error: --out " + full + " already exists and is not empty; give a new or empty directory");
    assertRefused(
        run(keras, dir.resolve("out"), "--export", full.toString()),
        "error: --export "
            + full
            + " already exists and is not empty; give a new or empty directory");
    try (Stream<Path> files = Files.list(full)) {
      assertEquals(List.of(full.resolve("keep.txt")), files.toList());
    }
  }

  /**
   * Gradient projection memory, set up at the import from the original task's inputs, keeps the
   * Keras model's task within a few points while the new task is learned, where fine-tuning loses
   * far more; its exported model carries the projections.
   */
  @Test
  void gradientProjectionKeepsTheOriginalTask() throws IOException {
    Path out = dir.resolve("out");
    Path export = dir.resolve("export");
    Run run =
        run(
            keras,
            out,
            "--rules",
            "finetune,gpm",
            "--importance-samples",
            "256",
            "--export",
            export.toString());
    assertEquals(0, run.status(), run.out() + run.err());
    String md = Files.readString(out.resolve("continue.md"));
    double[] finetune = row(md, "fine-tuning");
    double[] gpm = row(md, "gpm(threshold=0.97, samples=512)");
    assertTrue(gpm[0] > KERAS_ACCURACY - 0.04, "GPM keeps the original task: " + md);
    assertTrue(gpm[0] > finetune[0] + 0.05, "GPM forgets less than fine-tuning: " + md);
    assertTrue(gpm[1] > 0.5, "GPM learns the new task: " + md);
    assertTrue(
        Files.readString(export.resolve("gpm/assets/metaplastic.pbtxt"))
            .contains("gpm/dense_0/kernel/projection"),
        "the export carries GPM's state");
  }

  /**
   * The final accuracy on the original task, the new-task average and the average of a summary row.
   */
  private static double[] row(String md, String method) {
    Matcher m =
        Pattern.compile(
                "(?m)^\\| "
                    + Pattern.quote(method)
                    + " \\| (\\d\\.\\d{4}) ± \\d\\.\\d{4} \\([\\d.]+ %\\) \\| (\\d\\.\\d{4}) ±"
                    + " \\d\\.\\d{4} \\| (\\d\\.\\d{4}) ±")
            .matcher(md);
    assertTrue(m.find(), "no summary row for " + method + " in " + md);
    return new double[] {
      Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))
    };
  }

  /** Exit status 2, one error line starting with {@code expected}, and nothing written. */
  private void assertRefused(Run run, String expected) {
    assertEquals(2, run.status(), run.out() + run.err());
    assertTrue(run.err().startsWith(expected), run.err());
    assertEquals(1, run.err().lines().count(), run.err());
    assertFalse(Files.exists(dir.resolve("out")), "nothing written");
    assertNoTemporaries();
  }

  private void assertNoTemporaries() {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> temporaries =
          files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".tmp")).toList();
      assertEquals(List.of(), temporaries);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertPng(Path file) throws IOException {
    BufferedImage image = ImageIO.read(file.toFile());
    assertNotNull(image, file + " is not a PNG");
    assertTrue(image.getWidth() > 100 && image.getHeight() > 100, file.toString());
  }
}
