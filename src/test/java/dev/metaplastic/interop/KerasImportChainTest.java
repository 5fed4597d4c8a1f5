package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.ops.VariableRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Layer discovery and ordering on small SavedModels exported here with chosen variables. */
class KerasImportChainTest {
  @TempDir Path temp;

  /**
   * Exports a SavedModel whose variables have the given names and shapes; variable {@code k}
   * (counting from 1, in map order) holds the value {@code k} everywhere.
   */
  private Path export(Map<String, long[]> variables) {
    Path dir = temp.resolve("model" + System.nanoTime());
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      float value = 1;
      for (Map.Entry<String, long[]> v : variables.entrySet()) {
        registry.create(v.getKey(), tf.fill(tf.constant(v.getValue()), tf.constant(value++)));
      }
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class);
      Identity<TFloat32> y = tf.withName("y").identity(x);
      try (Session session = new Session(graph)) {
        session.initialize();
        SavedModelBundle.exporter(dir.toString())
            .withSession(session)
            .withSignature(
                Signature.builder().key("serving_default").input("x", x).output("y", y).build())
            .export();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static Map<String, long[]> layers(Object... nameInOut) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (int i = 0; i < nameInOut.length; i += 3) {
      String name = (String) nameInOut[i];
      long in = ((Number) nameInOut[i + 1]).longValue();
      long outSize = ((Number) nameInOut[i + 2]).longValue();
      out.put(name + "/kernel", new long[] {in, outSize});
      out.put(name + "/bias", new long[] {outSize});
    }
    return out;
  }

  @Test
  void ordersLayersByShapeNotNameAndIgnoresOptimizerVariables() {
    Map<String, long[]> variables = layers("first", 4, 3, "zeta", 3, 2, "alpha", 6, 4);
    variables.put("Adam/alpha/kernel", new long[] {7, 7});
    variables.put("adam/zeta/kernel/m", new long[] {3, 2});
    variables.put("total", new long[0]);
    try (SavedModelInfo model = SavedModelInfo.open(export(variables))) {
      KerasImport plan = KerasImport.plan(model);
      assertEquals(List.of("alpha", "first", "zeta"), plan.layerNames());
      assertEquals(new MlpSpec(6, List.of(4, 3), 1, 2, 0), plan.spec(0));
      Map<String, float[]> weights = plan.readWeights();
      assertArrayEquals(filled(24, 5), weights.get("dense_0/kernel"), "alpha/kernel");
      assertArrayEquals(filled(4, 6), weights.get("dense_0/bias"), "alpha/bias");
      assertArrayEquals(filled(12, 1), weights.get("dense_1/kernel"), "first/kernel");
      assertArrayEquals(filled(2, 4), weights.get("head_0/bias"), "zeta/bias");
    }
  }

  private static float[] filled(int size, float value) {
    float[] out = new float[size];
    java.util.Arrays.fill(out, value);
    return out;
  }

  @Test
  void squareLayersAreOrderedByKerasNames() {
    Map<String, long[]> variables =
        layers("dense_11", 4, 2, "dense_10", 4, 4, "dense", 5, 4, "dense_2", 4, 4);
    try (SavedModelInfo model = SavedModelInfo.open(export(variables))) {
      KerasImport plan = KerasImport.plan(model);
      assertEquals(List.of("dense", "dense_2", "dense_10", "dense_11"), plan.layerNames());
      assertTrue(plan.chainDescription().contains("chained by name"), plan.chainDescription());
    }
  }

  @Test
  void ambiguousChainIsRefused() {
    Map<String, long[]> variables = layers("z", 5, 4, "a", 4, 4, "b", 4, 4, "c", 4, 2);
    try (SavedModelInfo model = SavedModelInfo.open(export(variables))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> KerasImport.plan(model));
      assertTrue(e.getMessage().contains("more than one order"), e.getMessage());
      assertTrue(e.getMessage().contains("a [4, 4], b [4, 4], c [4, 2], z [5, 4]"), e.getMessage());
    }
  }

  @Test
  void brokenChainIsRefused() {
    try (SavedModelInfo model = SavedModelInfo.open(export(layers("a", 5, 4, "b", 3, 2)))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> KerasImport.plan(model));
      assertTrue(e.getMessage().contains("do not form a chain"), e.getMessage());
      assertTrue(e.getMessage().contains("a [5, 4], b [3, 2]"), e.getMessage());
    }
  }

  @Test
  void kernelWithoutBiasIsRefused() {
    Map<String, long[]> variables = layers("a", 5, 4);
    variables.put("b/kernel", new long[] {4, 2});
    try (SavedModelInfo model = SavedModelInfo.open(export(variables))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> KerasImport.plan(model));
      assertTrue(e.getMessage().contains("no bias 'b/bias'"), e.getMessage());
    }
  }

  @Test
  void convolutionIsRefused() {
    Map<String, long[]> variables = new LinkedHashMap<>();
    variables.put("conv2d/kernel", new long[] {3, 3, 1, 4});
    variables.put("conv2d/bias", new long[] {4});
    variables.putAll(layers("dense", 2704, 10));
    try (SavedModelInfo model = SavedModelInfo.open(export(variables))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> KerasImport.plan(model));
      assertTrue(e.getMessage().startsWith("conv2d/kernel of "), e.getMessage());
      assertTrue(
          e.getMessage().contains("has shape [3, 3, 1, 4]: not a dense kernel [in, out]"),
          e.getMessage());
    }
  }

  @Test
  void modelWithoutDenseLayersIsRefused() {
    try (SavedModelInfo model = SavedModelInfo.open(Fixtures.pythonTf("half_plus_two_v1"))) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> KerasImport.plan(model));
      assertTrue(e.getMessage().contains("has no dense layers"), e.getMessage());
      assertTrue(e.getMessage().contains("[a, b, c, filename_tensor]"), e.getMessage());
    }
  }
}
