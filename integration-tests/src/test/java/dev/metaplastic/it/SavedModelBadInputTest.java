package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.Examples;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.interop.SavedModelInfo;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.serve.Predictor;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainingListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;

/**
 * Broken and foreign SavedModels, and wrong inputs to good ones: every entry point ({@link
 * SavedModels#load}, {@link Predictor#open}, {@link SavedModelInfo}, the CLI commands {@code
 * inspect} and {@code predict}) refuses them with an {@link IllegalArgumentException} naming the
 * directory or file and the problem, the CLI exits with status 2 and one {@code error:} line
 * without a stack trace, and nothing on disk changes.
 *
 * <p>One model is trained on task 0 of {@link Fixtures#STREAM} and exported once; each test breaks
 * its own copy of that export. The last test checks principle 5 of docs/architecture.md: a loaded
 * model's graph does not grow, whatever it is used for, re-export included.
 */
class SavedModelBadInputTest {
  private static final String GHOST = "si/dense_0/kernel/ghost";

  @TempDir static Path shared;
  private static Path exported;
  private static Path singleHead;
  private static List<String> exportedListing;

  @TempDir Path work;

  @BeforeAll
  static void trainOnTaskZeroAndExport() throws IOException {
    ContinualTrainer trainer = new ContinualTrainer(Fixtures.config(), TrainingListener.NONE);
    try (ModelSession model = trainer.open(Fixtures.STREAM)) {
      trainer.trainTask(model, Fixtures.STREAM, 0);
      exported = shared.resolve("after-task-0");
      SavedModels.export(model, StreamDescription.of(Fixtures.STREAM), exported);
    }
    // A single-head model: SavedModelInfo.call feeds float32 inputs only, and a multi-head model
    // has an int32 task input in every signature.
    try (ModelSession model =
        new ModelSession(
            new MlpSpec(784, List.of(8), 1, 2, 3),
            new OptimizerConfig.Sgd(0.1),
            List.of(SynapticIntelligence.Config.SPLIT))) {
      singleHead = shared.resolve("single-head");
      SavedModels.export(model, StreamDescription.of(Fixtures.STREAM), singleHead);
    }
    exportedListing = Fixtures.listing(exported);
  }

  @AfterAll
  static void theOriginalExportIsUntouched() throws IOException {
    assertEquals(exportedListing, Fixtures.listing(exported));
  }

  // 1. Not a SavedModel.

  @Test
  void emptyDirectoryIsNotASavedModel() throws IOException {
    Path dir = Files.createDirectory(work.resolve("empty"));
    assertNotASavedModel(dir);
  }

  @Test
  void directoryWithOnlyVariablesIsNotASavedModel() throws IOException {
    Path dir = work.resolve("variables-only");
    copyTree(exported.resolve("variables"), dir.resolve("variables"));
    assertNotASavedModel(dir);
  }

  private void assertNotASavedModel(Path dir) throws IOException {
    assertRefused(
        dir, () -> SavedModels.load(dir).close(), "is not a SavedModel", "saved_model.pb");
    assertRefused(dir, () -> Predictor.open(dir).close(), "is not a SavedModel", "saved_model.pb");
    assertCliError(dir, cli(dir, "inspect", dir.toString()), "is not a SavedModel");
    Path csv = csv("good.csv", 2, 784);
    assertCliError(
        dir,
        cli(dir, "predict", dir.toString(), "--input", csv.toString(), "--task", "0"),
        "is not a SavedModel");
  }

  // 2. Truncated variables.

  @Test
  void truncatedVariablesCannotBeRead() throws IOException {
    Path dir = copy("truncated");
    Path data = dir.resolve("variables/variables.data-00000-of-00001");
    long size = Files.size(data);
    try (FileChannel channel = FileChannel.open(data, StandardOpenOption.WRITE)) {
      channel.truncate(size / 2);
    }
    assertEquals(size / 2, Files.size(data));

    assertRefused(dir, () -> SavedModels.load(dir).close(), "cannot read the variables");
    assertRefused(dir, () -> Predictor.open(dir).close(), "cannot load SavedModel");
    assertCliError(dir, cli(dir, "inspect", dir.toString()), "cannot load SavedModel");
    // TensorFlow's message spans two lines ("... [[{{node save/Restore}}]]"): the CLI prints one.
    Path csv = csv("good.csv", 1, 784);
    assertCliError(
        dir,
        cli(dir, "predict", dir.toString(), "--input", csv.toString(), "--task", "0"),
        "cannot load SavedModel");
  }

  // 3. Broken manifests.

  @Test
  void manifestNamingAMissingStateVariable() throws IOException {
    Path dir = copy("ghost-state");
    editManifest(
        dir,
        "rules {\n",
        "rules {\n  state {\n    parameter: \"dense_0/kernel\"\n    state: \"ghost\"\n"
            + "    variable: \""
            + GHOST
            + "\"\n  }\n");
    IllegalArgumentException e =
        assertRefused(
            dir, () -> SavedModels.load(dir).close(), "lacks variables its manifest names", GHOST);
    assertFalse(
        e.getMessage().contains("si/dense_0/kernel/importance"),
        "only the missing variable is listed: " + e.getMessage());
  }

  @Test
  void manifestNamingAnUnknownRule() throws IOException {
    Path dir = copy("unknown-rule");
    editManifest(dir, "name: \"si\"", "name: \"magic\"");
    // The message must say which SavedModel (or manifest file) names the rule.
    assertRefused(dir, () -> SavedModels.load(dir).close(), "unknown rule 'magic'");
  }

  @Test
  void manifestOfANewerFormatVersion() throws IOException {
    Path dir = copy("format-99");
    editManifest(dir, "format_version: 1\n", "format_version: 99\n");
    Path manifest = dir.resolve(SavedModels.MANIFEST);
    assertRefused(
        dir,
        () -> SavedModels.load(dir).close(),
        manifest.toString(),
        "has format version 99",
        "reads versions 1 to " + Manifests.FORMAT_VERSION);
  }

  @Test
  void textGarbageManifest() throws IOException {
    Path dir = copy("garbage-text");
    Path manifest = dir.resolve(SavedModels.MANIFEST);
    Files.writeString(manifest, "this is {{ not : a text proto ]\n", StandardCharsets.UTF_8);
    assertRefused(
        dir, () -> SavedModels.load(dir).close(), manifest.toString(), "is not a valid manifest");
    assertCliError(
        dir, cli(dir, "inspect", dir.toString()), manifest.toString(), "is not a valid manifest");
  }

  @Test
  void binaryGarbageManifest() throws IOException {
    Path dir = copy("garbage-binary");
    Path manifest = dir.resolve(SavedModels.MANIFEST);
    Files.write(manifest, new byte[] {(byte) 0xff, (byte) 0xfe, 0, (byte) 0x80, 8, 1, 0x12});
    assertRefused(
        dir, () -> SavedModels.load(dir).close(), manifest.toString(), "is not a valid manifest");
    assertCliError(
        dir, cli(dir, "inspect", dir.toString()), manifest.toString(), "is not a valid manifest");
  }

  // 4. A SavedModel that is not ours.

  @Test
  void savedModelWithoutManifestIsServedButNotLoadedForTraining() throws IOException {
    Path dir = copy("no-manifest");
    Files.delete(dir.resolve(SavedModels.MANIFEST));
    assertRefused(
        dir,
        () -> SavedModels.load(dir).close(),
        "is a SavedModel but not a Metaplastic one",
        SavedModels.MANIFEST);

    List<String> before = Fixtures.listing(dir);
    float[][] row = {new float[784]};
    float[][] expected;
    try (Predictor predictor = Predictor.open(exported)) {
      expected = predictor.predict(row, new int[] {1});
    }
    try (Predictor predictor = Predictor.open(dir)) {
      assertEquals(784, predictor.inputSize());
      assertEquals(2, predictor.classes());
      assertTrue(predictor.multiHead());
      assertEquals(3, predictor.heads().orElseThrow());
      assertArrayEquals(expected[0], predictor.predict(row, new int[] {1})[0]);
    }
    CliRun inspect = cli(dir, "inspect", dir.toString());
    assertEquals(0, inspect.status(), inspect.out() + inspect.err());
    assertEquals("", inspect.err());
    assertTrue(inspect.out().contains("manifest: none"), inspect.out());
    assertTrue(inspect.out().contains("serving_default"), inspect.out());
    assertEquals(before, Fixtures.listing(dir));
  }

  // 5. Wrong input shapes and types.

  @Test
  void predictorRefusesWrongRowsAndTaskIds() throws IOException {
    Path dir = copy("predictor");
    List<String> before = Fixtures.listing(dir);
    try (Predictor predictor = Predictor.open(dir)) {
      var shape =
          assertThrows(
              IllegalArgumentException.class,
              () -> predictor.predict(new float[][] {new float[10]}, new int[] {0}));
      assertTrue(
          shape.getMessage().contains("row 0 has 10 features, expected 784"), shape.getMessage());
      var flat =
          assertThrows(
              IllegalArgumentException.class,
              () -> predictor.predictFlat(new float[10], 1, new int[] {0}));
      assertTrue(flat.getMessage().contains("x has 10 values"), flat.getMessage());
      var task =
          assertThrows(
              IllegalArgumentException.class,
              () -> predictor.predict(new float[][] {new float[784]}, new int[] {3}));
      assertTrue(
          task.getMessage().contains("task[0] = 3 is out of range: the model has 3 heads (0..2)"),
          task.getMessage());
      var negative =
          assertThrows(
              IllegalArgumentException.class,
              () -> predictor.predict(new float[][] {new float[784]}, new int[] {-1}));
      assertTrue(negative.getMessage().contains("task[0] = -1"), negative.getMessage());
      var missing =
          assertThrows(
              IllegalArgumentException.class,
              () -> predictor.predict(new float[][] {new float[784]}));
      assertTrue(missing.getMessage().contains(dir.toString()), missing.getMessage());
      assertTrue(missing.getMessage().contains("is multi-head"), missing.getMessage());
      // The predictor still works after refusing bad input.
      assertEquals(2, predictor.predict(new float[][] {new float[784]}, new int[] {2})[0].length);
    }
    assertEquals(before, Fixtures.listing(dir));
  }

  @Test
  void cliPredictRefusesCsvWithWrongColumnCount() throws IOException {
    Path dir = copy("cli-predict");
    Path csv = csv("ten-columns.csv", 2, 10);
    Path output = work.resolve("predictions.csv");
    CliRun run =
        cli(
            dir,
            "predict",
            dir.toString(),
            "--input",
            csv.toString(),
            "--task",
            "0",
            "--output",
            output.toString());
    assertCliError(csv, run, "line 1 has 10 values, expected 784 (the model's input size)");
    assertFalse(Files.exists(output), "no output file for refused input");

    CliRun badTask =
        cli(
            dir,
            "predict",
            dir.toString(),
            "--input",
            csv("good.csv", 1, 784).toString(),
            "--task",
            "3");
    assertCliError(dir, badTask, "--task 3 is out of range", "3 heads");
  }

  @Test
  void savedModelInfoCallRefusesWrongShape() throws IOException {
    Path dir = work.resolve("single-head");
    copyTree(singleHead, dir);
    List<String> before = Fixtures.listing(dir);
    try (SavedModelInfo info = SavedModelInfo.open(dir)) {
      var count =
          assertThrows(
              IllegalArgumentException.class,
              () -> info.call("serving_default", Map.of("x", new float[10]), Map.of()));
      assertTrue(
          count
              .getMessage()
              .contains(
                  "input 'x' of signature 'serving_default' expects shape [-1, 784], got 10"
                      + " values, not a multiple of 784"),
          count.getMessage());
      var shape =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  info.call(
                      "serving_default",
                      Map.of("x", new float[10]),
                      Map.of("x", new long[] {1, 10})));
      assertTrue(
          shape
              .getMessage()
              .contains(
                  "input 'x' of signature 'serving_default' expects shape [-1, 784], got [1, 10]"),
          shape.getMessage());
      var rank =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  info.call(
                      "serving_default",
                      Map.of("x", new float[784]),
                      Map.of("x", new long[] {784})));
      assertTrue(
          rank.getMessage().contains("expects shape [-1, 784], got [784]"), rank.getMessage());
      Map<String, float[]> ok = info.call("serving_default", Map.of("x", new float[784]), Map.of());
      assertEquals(2, ok.get("probabilities").length);
    }
    assertEquals(before, Fixtures.listing(dir));

    // On a multi-head model, the int32 task input is refused by name before TensorFlow runs.
    Path multi = copy("info-multi-head");
    List<String> multiBefore = Fixtures.listing(multi);
    try (SavedModelInfo info = SavedModelInfo.open(multi)) {
      var dtype =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  info.call(
                      "serving_default",
                      Map.of("x", new float[10], "task", new float[] {0}),
                      Map.of()));
      assertTrue(
          dtype
              .getMessage()
              .contains(
                  "input 'task' of signature 'serving_default' has dtype int32; call() feeds only"
                      + " float32 inputs"),
          dtype.getMessage());
    }
    assertEquals(multiBefore, Fixtures.listing(multi));
  }

  // 6. Principle 5 of docs/architecture.md: the graph does not grow after the first save.

  @Test
  void loadedGraphDoesNotGrow() throws IOException {
    Path dir = copy("grow");
    List<String> before = Fixtures.listing(dir);
    try (LoadedModel loaded = SavedModels.load(dir)) {
      ModelSession model = loaded.model();
      Graph graph = model.graph().graph();
      long ops = operationCount(graph);
      List<String> names = operationNames(graph);

      Examples train = Fixtures.STREAM.tasks().get(1).train();
      int n = 16;
      float[] x = new float[n * train.featureSize()];
      int[] y = new int[n];
      int[] task = new int[n];
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      train.gather(order, 0, n, x, y, task);
      float loss = model.trainStep(x, y, task, n).loss();
      assertTrue(Float.isFinite(loss), "loss " + loss);
      assertEquals(2, model.consolidate());
      double accuracy = model.evaluate(Fixtures.STREAM.tasks().get(0).test(), 64);
      assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
      assertEquals(n * 2, model.predict(x, task, n).length);
      float[] kernel = model.read("dense_0/kernel");
      kernel[0] += 1;
      model.write("dense_0/kernel", kernel);
      assertEquals(kernel[0], model.read("dense_0/kernel")[0]);
      model.read("si/dense_0/kernel/importance");
      model.rebase();
      assertEquals(2, model.tasksConsolidated());
      Path again = work.resolve("re-exported");
      SavedModels.export(model, StreamDescription.of(Fixtures.STREAM), again);
      SavedModels.export(model, StreamDescription.of(Fixtures.STREAM), work.resolve("third"));

      List<String> added = new ArrayList<>(operationNames(graph));
      added.removeAll(names);
      assertEquals(List.of(), added, "operations added to the loaded graph");
      assertEquals(ops, operationCount(graph));

      try (LoadedModel reloaded = SavedModels.load(again)) {
        assertEquals(2, reloaded.description().tasksConsolidated());
        assertArrayEquals(kernel, reloaded.model().read("dense_0/kernel"));
        assertEquals(ops, operationCount(reloaded.model().graph().graph()));
      }
    }
    assertEquals(before, Fixtures.listing(dir));
  }

  // Helpers.

  /**
   * Runs {@code call}, which must throw an {@link IllegalArgumentException} whose message names
   * {@code dir} (or a file in it) and contains every phrase; checks nothing under {@code dir}
   * changed.
   */
  private static IllegalArgumentException assertRefused(
      Path dir, Executable call, String... phrases) throws IOException {
    List<String> before = Fixtures.listing(dir);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    String message = e.getMessage();
    assertTrue(message.contains(dir.toString()), "message should name " + dir + ": " + message);
    for (String phrase : phrases) {
      assertTrue(message.contains(phrase), "message should say '" + phrase + "': " + message);
    }
    assertEquals(before, Fixtures.listing(dir), "nothing on disk may change");
    return e;
  }

  /** Runs the CLI in this JVM and checks that nothing under {@code dir} changed. */
  private static CliRun cli(Path dir, String... args) throws IOException {
    List<String> before = Fixtures.listing(dir);
    CliRun run = CliRun.of(args);
    assertEquals(before, Fixtures.listing(dir), "nothing on disk may change: " + List.of(args));
    return run;
  }

  /**
   * Checks a CLI run that was refused: status 2, one {@code error:} line naming {@code path} (the
   * model directory, or the file at fault) and every phrase, and no stack trace.
   */
  private static void assertCliError(Path path, CliRun run, String... phrases) {
    String err = run.err();
    assertEquals(2, run.status(), "exit status: " + run.out() + err);
    assertTrue(err.startsWith("error: "), "stderr should start with 'error: ': " + err);
    assertEquals(1, err.strip().lines().count(), "one line expected: " + err);
    assertFalse(err.contains("\tat "), "no stack trace: " + err);
    assertTrue(err.contains(path.toString()), "stderr should name " + path + ": " + err);
    for (String phrase : phrases) {
      assertTrue(err.contains(phrase), "stderr should say '" + phrase + "': " + err);
    }
  }

  /** A copy of the export, to break. */
  private Path copy(String name) throws IOException {
    Path dir = work.resolve(name);
    copyTree(exported, dir);
    assertEquals(exportedListing.size(), Fixtures.listing(dir).size());
    return dir;
  }

  /** Copies the tree under {@code from} to {@code to}, which must not exist. */
  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path source : walk.sorted().toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }

  /** Replaces the first {@code target} in the manifest of {@code dir}; it must be there. */
  private static void editManifest(Path dir, String target, String replacement) throws IOException {
    Path file = dir.resolve(SavedModels.MANIFEST);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int at = text.indexOf(target);
    assertTrue(at >= 0, "manifest should contain '" + target + "':\n" + text);
    String edited = text.substring(0, at) + replacement + text.substring(at + target.length());
    assertNotEquals(text, edited);
    Files.writeString(file, edited, StandardCharsets.UTF_8);
  }

  /** A CSV file of {@code rows} lines of {@code columns} zeros, outside any model directory. */
  private Path csv(String name, int rows, int columns) throws IOException {
    Path file = work.resolve(name);
    String line = String.join(",", Collections.nCopies(columns, "0")) + "\n";
    Files.writeString(file, line.repeat(rows), StandardCharsets.UTF_8);
    return file;
  }

  private static long operationCount(Graph graph) {
    long count = 0;
    for (Iterator<?> it = graph.operations(); it.hasNext(); it.next()) {
      count++;
    }
    return count;
  }

  private static List<String> operationNames(Graph graph) {
    List<String> names = new ArrayList<>();
    graph.operations().forEachRemaining(op -> names.add(op.name()));
    return names;
  }
}
