package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.cli.Main;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.interop.KerasLikeModels.Dense;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link KerasImport#load} detects and refuses, on small Keras-like SavedModels written here
 * and on the Python-made fixtures that are not dense classifiers.
 */
class KerasImportChecksTest {
  private static final long[] IMAGE = {28, 28};

  @TempDir Path temp;

  private Path model(String name, long[] input, Dense... layers) {
    return KerasLikeModels.export(temp.resolve(name), "input_1", input, List.of(layers), "out");
  }

  private static IllegalArgumentException refused(Path dir) {
    return assertThrows(IllegalArgumentException.class, () -> KerasImport.load(dir));
  }

  @Test
  void activationsAreReadFromTheServingGraphWithoutMetadata() {
    ImportedModel probabilities =
        KerasImport.load(
            model("softmax", IMAGE, new Dense("d", 8, "tanh"), new Dense("d_1", 5, "softmax")));
    assertEquals("softmax", probabilities.outputActivation());
    assertEquals("serving_default", probabilities.source().activationsFrom());
    assertEquals(List.of("tanh"), probabilities.hiddenActivations());
    assertEquals(List.of(28L, 28L), probabilities.inputShape());
    assertEquals("out", probabilities.outputName());
    ImportedModel logits =
        KerasImport.load(
            model(
                "linear",
                new long[] {6},
                new Dense("d", 4, "sigmoid"),
                new Dense("e", 4, "linear"),
                new Dense("o", 3, "linear")));
    assertEquals("linear", logits.outputActivation());
    assertEquals(List.of("sigmoid", "linear"), logits.hiddenActivations());
    assertEquals(List.of(6L), logits.inputShape());
  }

  @Test
  void anOpOfNoSupportedLayerIsNamed() {
    Path dir = model("relu6", IMAGE, new Dense("d", 8, "relu6"), new Dense("d_1", 5, "softmax"));
    assertTrue(
        refused(dir)
            .getMessage()
            .contains(
                "(Relu6) of serving_default is not part of a"
                    + " dense layer chain that can be imported"));
  }

  @Test
  void aForwardPassThatDiffersFromTheRecordedLayersIsRefused() {
    Path tanh = model("tanh", IMAGE, new Dense("d", 8, "tanh"), new Dense("d_1", 5, "linear"));
    KerasLikeModels.writeMetadata(
        tanh,
        List.of(
            new String[] {"Flatten", "flatten", ""},
            new String[] {"Dense", "d", "relu"},
            new String[] {"Dense", "d_1", "linear"}));
    assertTrue(
        refused(tanh)
            .getMessage()
            .startsWith(
                "serving_default of "
                    + tanh.toAbsolutePath()
                    + " does not compute what its import does: on 64 probe inputs uniform in"
                    + " [0, 1) they differ by up to"),
        refused(tanh).getMessage());
  }

  @Test
  void anActivationKerasRecordsButWeDoNotSupportIsRefused() {
    Path dir = model("hard", IMAGE, new Dense("d", 8, "relu"), new Dense("d_1", 5, "softmax"));
    KerasLikeModels.writeMetadata(
        dir,
        List.of(
            new String[] {"Flatten", "flatten", ""},
            new String[] {"Dense", "d", "hard_sigmoid"},
            new String[] {"Dense", "d_1", "softmax"}));
    assertTrue(
        refused(dir)
            .getMessage()
            .contains(
                "layer 'd': activation 'hard_sigmoid' is not supported; supported are [relu, gelu,"),
        refused(dir).getMessage());
  }

  @Test
  void metadataWithOtherLayersIsRefused() {
    Path dir = model("conv", IMAGE, new Dense("d", 8, "relu"), new Dense("d_1", 5, "softmax"));
    KerasLikeModels.writeMetadata(
        dir,
        List.of(
            new String[] {"Conv2D", "conv2d", "relu"},
            new String[] {"Dense", "d", "relu"},
            new String[] {"Dense", "d_1", "softmax"}));
    assertTrue(
        refused(dir)
            .getMessage()
            .startsWith(
                dir
                    + ": layer 'conv2d' is a Conv2D, which cannot be imported; supported layers:"
                    + " InputLayer, Flatten, Reshape, Dense,"),
        refused(dir).getMessage());
  }

  @Test
  void inputOfAnotherSizeThanTheDataIsRefused() {
    ImportedModel big =
        KerasImport.load(model("big", new long[] {32, 32}, new Dense("d", 3, "linear")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> big.checkData(784, 1, 3, "the Fashion-MNIST test set"));
    assertEquals(
        big.savedModel()
            + " takes input 'input_1' [32, 32], 1024 values per example, but the Fashion-MNIST"
            + " test set has 784 values per example",
        e.getMessage());
  }

  @Test
  void dataOfAnotherClassCountOrHeadCountIsRefused() {
    ImportedModel five =
        KerasImport.load(
            model("five", IMAGE, new Dense("d", 8, "relu"), new Dense("d_1", 5, "softmax")));
    IllegalArgumentException classes =
        assertThrows(IllegalArgumentException.class, () -> five.checkData(784, 1, 10, "data"));
    assertEquals(five.savedModel() + " has 5 classes, but data has 10", classes.getMessage());
    IllegalArgumentException heads =
        assertThrows(IllegalArgumentException.class, () -> five.checkData(784, 5, 5, "split"));
    assertTrue(heads.getMessage().contains("split needs 5 heads (one per task)"));
  }

  @Test
  void pythonFixturesThatAreNotDenseClassifiersAreRefused() {
    assertTrue(
        refused(Fixtures.pythonTf("half_plus_two_v1"))
            .getMessage()
            .contains("serving_default reads placeholder tf_example besides its input"),
        refused(Fixtures.pythonTf("half_plus_two_v1")).getMessage());
    assertTrue(
        refused(Fixtures.pythonTf("tf_function_v2")).getMessage().contains("serving_default"),
        refused(Fixtures.pythonTf("tf_function_v2")).getMessage());
  }

  @Test
  void importCommandWritesNothingOnError() throws IOException {
    Assumptions.assumeTrue(FashionMnist.isPresent(FashionMnist.DEFAULT_DIR));
    Path five = model("five", IMAGE, new Dense("d", 8, "relu"), new Dense("d_1", 5, "softmax"));
    Path out = temp.resolve("imported");
    StringWriter err = new StringWriter();
    int status =
        Main.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            "import",
            five.toString(),
            out.toString(),
            "--data-dir",
            FashionMnist.DEFAULT_DIR.toString());
    assertEquals(2, status, err.toString());
    assertTrue(
        err.toString()
            .startsWith(
                "error: "
                    + five
                    + " has 5 classes, but the Fashion-MNIST test set in "
                    + FashionMnist.DEFAULT_DIR
                    + " has 10"),
        err.toString());
    assertFalse(Files.exists(out));
    try (var files = Files.list(temp)) {
      assertEquals(List.of("five"), files.map(p -> p.getFileName().toString()).toList());
    }
  }
}
