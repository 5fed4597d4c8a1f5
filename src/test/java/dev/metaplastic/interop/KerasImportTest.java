package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.Examples;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.VariableMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Importing the two Keras Fashion-MNIST classifiers trained in Python. */
class KerasImportTest {
  private static final int COMPARED = 2000;

  private static SavedModelInfo sgd;
  private static SavedModelInfo adam;

  @BeforeAll
  static void open() {
    sgd = SavedModelInfo.open(Fixtures.pythonKeras("fmnist_mlp_sgd"));
    adam = SavedModelInfo.open(Fixtures.pythonKeras("fmnist_mlp_adam"));
  }

  @AfterAll
  static void close() {
    if (sgd != null) {
      sgd.close();
    }
    if (adam != null) {
      adam.close();
    }
  }

  @Test
  void sgdModelMapsThreeLayersWithActivationsFromKerasMetadata() {
    ImportedModel imported = KerasImport.load(sgd.directory());
    assertEquals(expectedMappings(784, 300, 100, 10), imported.mappings());
    assertEquals(new MlpSpec(784, List.of(300, 100), 1, 10, 7), imported.spec(7));
    assertEquals("input_1", imported.inputName());
    assertEquals(List.of(28L, 28L), imported.inputShape());
    assertEquals("dense_2", imported.outputName());
    assertEquals("softmax", imported.outputActivation());
    assertEquals(List.of("relu", "relu"), imported.hiddenActivations());
    assertEquals("keras_metadata.pb", imported.source().activationsFrom());
    String table = imported.describe();
    assertTrue(table.contains("dense/kernel    [784, 300]  ->  dense_0/kernel"), table);
    assertTrue(table.contains("dense_2/bias    [10]        ->  head_0/bias"), table);
    assertTrue(
        table.contains(
            "serving_default: input 'input_1' float32 [-1, 28, 28] -> output 'dense_2' [-1, 10],"
                + " probabilities (softmax)"),
        table);
    assertTrue(table.contains("784-300-100-10"), table);
  }

  @Test
  void adamModelMapsThreeLayersIgnoresSlotsAndOutputsLogits() {
    ImportedModel imported = KerasImport.load(adam.directory());
    assertEquals(expectedMappings(784, 128, 64, 10), imported.mappings());
    assertEquals(new MlpSpec(784, List.of(128, 64), 1, 10, 0), imported.spec(0));
    assertEquals("flatten_input", imported.inputName());
    assertEquals("dense_2", imported.outputName());
    assertEquals("linear", imported.outputActivation());
    assertEquals(List.of("relu", "relu"), imported.hiddenActivations());
  }

  @Test
  void withoutKerasMetadataTheServingGraphGivesTheSameImport(@TempDir Path temp)
      throws IOException {
    for (SavedModelInfo model : List.of(sgd, adam)) {
      Path copy =
          Fixtures.copyTree(model.directory(), temp.resolve(model.directory().getFileName()));
      Files.delete(copy.resolve("keras_metadata.pb"));
      ImportedModel withMetadata = KerasImport.load(model.directory());
      ImportedModel fromBehaviour = KerasImport.load(copy);
      assertEquals("serving_default", fromBehaviour.source().activationsFrom());
      assertEquals(withMetadata.outputActivation(), fromBehaviour.outputActivation());
      assertEquals(withMetadata.hiddenActivations(), fromBehaviour.hiddenActivations());
      assertEquals(withMetadata.mappings(), fromBehaviour.mappings());
      assertEquals(withMetadata.inputName(), fromBehaviour.inputName());
    }
  }

  private static List<VariableMapping> expectedMappings(long in, long h1, long h2, long out) {
    return List.of(
        mapping("dense/kernel", "dense_0/kernel", List.of(in, h1)),
        mapping("dense/bias", "dense_0/bias", List.of(h1)),
        mapping("dense_1/kernel", "dense_1/kernel", List.of(h1, h2)),
        mapping("dense_1/bias", "dense_1/bias", List.of(h2)),
        mapping("dense_2/kernel", "head_0/kernel", List.of(h2, out)),
        mapping("dense_2/bias", "head_0/bias", List.of(out)));
  }

  private static VariableMapping mapping(String source, String target, List<Long> shape) {
    return new VariableMapping(source, target, shape, List.of());
  }

  @Test
  void sgdModelKeepsItsAccuracyAndPredictions() {
    checkImport(sgd, 0.8844);
  }

  @Test
  void adamModelKeepsItsAccuracyAndPredictions() {
    checkImport(adam, 0.8776);
  }

  /**
   * Imports {@code model}, checks every weight, the test accuracy the fixtures' README reports, and
   * that our forward pass from the source's input gives Keras's {@code serving_default} output on
   * the first test images within 1e-5 (probabilities or logits, as the source outputs them), and
   * our logits its argmax.
   */
  private static void checkImport(SavedModelInfo model, double accuracy) {
    Examples test = Fixtures.fashionMnistTest();
    ImportedModel imported = KerasImport.load(model.directory());
    try (ModelSession ours = imported.open(new OptimizerConfig.Sgd(0.01), List.of(), 0)) {
      for (VariableMapping m : imported.mappings()) {
        assertEquals(
            Arrays.toString(model.readFloat(m.source())),
            Arrays.toString(ours.read(m.target())),
            m.source() + " -> " + m.target());
      }

      assertEquals(accuracy, ours.evaluate(test, 1000), 1e-9);
      assertEquals(accuracy, imported.accuracy(test), 1e-9);

      float[] images = Arrays.copyOf(test.features(), COMPARED * 784);
      String input = imported.inputName();
      float[] keras =
          model
              .call(
                  "serving_default",
                  Map.of(input, images),
                  Map.of(input, new long[] {COMPARED, 28, 28}))
              .get(imported.outputName());
      float[] served =
          run(ours, ours.graph().servingInput(), ours.graph().servingOutput(), images, 28, 28);
      float[] logits = run(ours, ours.graph().x(), ours.graph().logits(), images, 784);
      float worst = 0;
      for (int i = 0; i < COMPARED; i++) {
        assertEquals(argmax(keras, i), argmax(logits, i), "image " + i);
        for (int c = 0; c < 10; c++) {
          worst = Math.max(worst, Math.abs(keras[i * 10 + c] - served[i * 10 + c]));
        }
      }
      assertTrue(worst <= 1e-5, "largest difference from Keras " + worst);
    }
  }

  private static float[] run(
      ModelSession model, Operand<TFloat32> in, Operand<TFloat32> out, float[] x, long... dims) {
    long[] shape = new long[dims.length + 1];
    shape[0] = COMPARED;
    System.arraycopy(dims, 0, shape, 1, dims.length);
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(x, true, false));
        Result result = model.session().runner().feed(in, t).fetch(out).run()) {
      TFloat32 values = (TFloat32) result.get(0);
      float[] array = new float[(int) values.shape().size()];
      values.asRawTensor().data().asFloats().read(array);
      return array;
    }
  }

  private static int argmax(float[] rows, int row) {
    int best = 0;
    for (int c = 1; c < 10; c++) {
      if (rows[row * 10 + c] > rows[row * 10 + best]) {
        best = c;
      }
    }
    return best;
  }

  @Test
  void fashionMnistFitsBothModels() {
    for (SavedModelInfo model : List.of(sgd, adam)) {
      KerasImport.load(model.directory()).checkData(784, 1, 10, "Fashion-MNIST");
    }
  }

  @Test
  void nonFloatVariablesAreListedButNotReadable() {
    VariableInfo iter = sgd.variable("SGD/iter").orElseThrow();
    assertEquals(new VariableInfo("SGD/iter", "int64", List.of(), "resource"), iter);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> sgd.readFloat("SGD/iter"));
    assertTrue(e.getMessage().contains("dtype int64"), e.getMessage());
    assertEquals(27, adam.variables().size());
  }
}
