package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.Examples;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.interop.KerasImport.Mapping;
import dev.metaplastic.train.ModelSession;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Importing the two Keras Fashion-MNIST classifiers trained in Python. */
class KerasImportTest {
  private static final int COMPARED = 100;

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
  void sgdModelMapsThreeLayers() {
    KerasImport plan = KerasImport.plan(sgd);
    assertEquals(List.of("dense", "dense_1", "dense_2"), plan.layerNames());
    assertEquals(expectedMappings(784, 300, 100, 10), plan.mappings());
    assertEquals(new MlpSpec(784, List.of(300, 100), 1, 10, 7), plan.spec(7));
    String table = plan.describe();
    assertTrue(table.contains("dense/kernel    [784, 300]  ->  dense_0/kernel"), table);
    assertTrue(table.contains("dense_2/bias    [10]        ->  head_0/bias"), table);
    assertTrue(table.contains("784-300-100-10"), table);
  }

  @Test
  void adamModelMapsThreeLayersAndIgnoresSlots() {
    KerasImport plan = KerasImport.plan(adam);
    assertEquals(List.of("dense", "dense_1", "dense_2"), plan.layerNames());
    assertEquals(expectedMappings(784, 128, 64, 10), plan.mappings());
    assertEquals(new MlpSpec(784, List.of(128, 64), 1, 10, 0), plan.spec(0));
  }

  private static List<Mapping> expectedMappings(long in, long h1, long h2, long out) {
    return List.of(
        new Mapping("dense/kernel", "dense_0/kernel", List.of(in, h1)),
        new Mapping("dense/bias", "dense_0/bias", List.of(h1)),
        new Mapping("dense_1/kernel", "dense_1/kernel", List.of(h1, h2)),
        new Mapping("dense_1/bias", "dense_1/bias", List.of(h2)),
        new Mapping("dense_2/kernel", "head_0/kernel", List.of(h2, out)),
        new Mapping("dense_2/bias", "head_0/bias", List.of(out)));
  }

  @Test
  void sgdModelKeepsItsAccuracyAndPredictions() {
    checkImport(sgd, "input_1", true, 0.8844);
  }

  @Test
  void adamModelKeepsItsAccuracyAndPredictions() {
    checkImport(adam, "flatten_input", false, 0.8776);
  }

  /**
   * Imports {@code model}, checks the test accuracy the fixtures' README reports, and compares our
   * logits with Keras's {@code serving_default} output on the first test images: equal argmax, and
   * equal values (after softmax when Keras outputs probabilities).
   */
  private static void checkImport(
      SavedModelInfo model, String input, boolean outputsProbabilities, double accuracy) {
    Examples test = Fixtures.fashionMnistTest();
    KerasImport plan = KerasImport.plan(model);
    try (ModelSession ours =
        new ModelSession(plan.spec(0), new OptimizerConfig.Sgd(0.01), List.of())) {
      plan.copyInto(ours);
      for (Mapping m : plan.mappings()) {
        assertEquals(
            Arrays.toString(model.readFloat(m.source())),
            Arrays.toString(ours.read(m.target())),
            m.source() + " -> " + m.target());
      }

      assertEquals(accuracy, ours.evaluate(test, 1000), 0.0005);

      float[] images = Arrays.copyOf(test.features(), COMPARED * 784);
      float[] keras =
          model
              .call(
                  "serving_default",
                  Map.of(input, images),
                  Map.of(input, new long[] {COMPARED, 28, 28}))
              .get("dense_2");
      float[] logits = logits(ours, images);
      float[] expected = outputsProbabilities ? softmax(logits) : logits;
      for (int i = 0; i < COMPARED; i++) {
        assertEquals(argmax(keras, i), argmax(logits, i), "image " + i);
        for (int c = 0; c < 10; c++) {
          float tolerance =
              outputsProbabilities ? 1e-5f : 1e-4f * Math.max(1, Math.abs(keras[i * 10 + c]));
          assertEquals(
              keras[i * 10 + c], expected[i * 10 + c], tolerance, "image " + i + " class " + c);
        }
      }
    }
  }

  private static float[] logits(ModelSession model, float[] images) {
    try (TFloat32 x =
            TFloat32.tensorOf(Shape.of(COMPARED, 784), DataBuffers.of(images, true, false));
        Result result =
            model
                .session()
                .runner()
                .feed(model.graph().x(), x)
                .fetch(model.graph().logits())
                .run()) {
      TFloat32 t = (TFloat32) result.get(0);
      float[] out = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  private static float[] softmax(float[] logits) {
    float[] out = new float[logits.length];
    for (int i = 0; i < logits.length / 10; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 10; c++) {
        max = Math.max(max, logits[i * 10 + c]);
      }
      double sum = 0;
      for (int c = 0; c < 10; c++) {
        sum += Math.exp(logits[i * 10 + c] - max);
      }
      for (int c = 0; c < 10; c++) {
        out[i * 10 + c] = (float) (Math.exp(logits[i * 10 + c] - max) / sum);
      }
    }
    return out;
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
  void shapeMismatchNamesSourceTargetAndShapes() {
    KerasImport plan = KerasImport.plan(sgd);
    try (ModelSession other =
        new ModelSession(
            new MlpSpec(784, List.of(256, 100), 1, 10, 0),
            new OptimizerConfig.Sgd(0.01),
            List.of())) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> plan.copyInto(other));
      assertEquals(
          "cannot import dense/kernel [784, 300] into dense_0/kernel [784, 256]: shapes differ",
          e.getMessage());
    }
  }

  @Test
  void layerCountMismatchIsRefused() {
    KerasImport plan = KerasImport.plan(adam);
    try (ModelSession other =
        new ModelSession(
            new MlpSpec(784, List.of(128), 1, 10, 0), new OptimizerConfig.Sgd(0.01), List.of())) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> plan.copyInto(other));
      assertTrue(e.getMessage().contains("the source has 2 hidden layers"), e.getMessage());
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
