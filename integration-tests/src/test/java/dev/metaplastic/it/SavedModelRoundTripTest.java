package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.Examples;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Train two tasks, export, reload, train the third: losses and every variable must equal those of a
 * run that never stopped. And the SavedModel must work through plain TensorFlow Java.
 */
class SavedModelRoundTripTest {
  @TempDir static Path dir;
  private static Path exported;
  private static List<Float> uninterruptedLosses;
  private static Map<String, float[]> uninterruptedState;

  @BeforeAll
  static void trainUninterruptedAndExportAfterTwoTasks() {
    Losses losses = new Losses();
    ContinualTrainer trainer = new ContinualTrainer(Fixtures.config(), losses);
    try (ModelSession model = trainer.open(Fixtures.STREAM)) {
      trainer.trainTask(model, Fixtures.STREAM, 0);
      trainer.trainTask(model, Fixtures.STREAM, 1);
      exported = dir.resolve("after-two-tasks");
      SavedModels.export(model, StreamDescription.of(Fixtures.STREAM), exported);
      int before = losses.values.size();
      trainer.trainTask(model, Fixtures.STREAM, 2);
      uninterruptedLosses = new ArrayList<>(losses.values.subList(before, losses.values.size()));
      uninterruptedState = Fixtures.snapshot(model);
    }
  }

  @Test
  void reloadedModelContinuesBitIdentically() {
    Losses losses = new Losses();
    try (LoadedModel loaded = SavedModels.load(exported)) {
      assertEquals(2, loaded.description().tasksConsolidated());
      new ContinualTrainer(Fixtures.config(), losses).trainTask(loaded.model(), Fixtures.STREAM, 2);
      assertEquals(uninterruptedLosses, losses.values);
      Map<String, float[]> state = Fixtures.snapshot(loaded.model());
      assertEquals(uninterruptedState.keySet(), state.keySet());
      uninterruptedState.forEach(
          (name, values) -> assertArrayEquals(values, state.get(name), name));
    }
  }

  @Test
  void manifestMapsEveryParameterToItsState() {
    Manifest manifest = ManifestFiles.read(exported);
    assertEquals(1, manifest.getFormatVersion());
    assertEquals("mlp", manifest.getModel().getKind());
    assertEquals(List.of(32, 16), manifest.getModel().getHiddenList());
    assertEquals(3, manifest.getModel().getHeads());
    assertEquals("adam", manifest.getOptimizer().getName());
    assertTrue(manifest.getOptimizer().getSlotsList().contains("adam/dense_0/kernel/m"));
    assertEquals("si", manifest.getRules(0).getName());
    assertEquals(1.0, manifest.getRules(0).getHyperparametersOrThrow("c"));
    assertEquals(
        4 * manifest.getModel().getParametersCount(), manifest.getRules(0).getStateCount());
    assertTrue(
        manifest.getRules(0).getStateList().stream()
            .anyMatch(
                s ->
                    s.getParameter().equals("dense_0/kernel")
                        && s.getState().equals("importance")
                        && s.getVariable().equals("si/dense_0/kernel/importance")));
    assertEquals(3, manifest.getDataStream().getTasks());
  }

  /** No Metaplastic class on the call path: plain SavedModelBundle and its signatures. */
  @Test
  void plainTensorFlowJavaCanPredictTrainAndConsolidate() {
    Examples test = Fixtures.STREAM.tasks().get(0).test();
    int n = 8;
    float[] x = new float[n * test.featureSize()];
    int[] y = new int[n];
    int[] task = new int[n];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    test.gather(order, 0, n, x, y, task);
    float[] expected;
    float expectedLoss;
    try (LoadedModel loaded = SavedModels.load(exported)) {
      expected = loaded.model().predict(x, task, n);
      expectedLoss = loaded.model().trainStep(x, y, task, n).loss();
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(exported.toString(), "serve");
        TFloat32 xt =
            TFloat32.tensorOf(Shape.of(n, test.featureSize()), DataBuffers.of(x, true, false));
        TInt32 yt = TInt32.tensorOf(Shape.of(n), DataBuffers.of(y, true, false));
        TInt32 tt = TInt32.tensorOf(Shape.of(n), DataBuffers.of(task, true, false))) {
      List<String> keys = new ArrayList<>();
      bundle.signatures().forEach(s -> keys.add(s.key()));
      bundle
          .signatures()
          .forEach(s -> assertEquals("tensorflow/serving/predict", s.methodName(), s.key()));
      assertTrue(
          keys.containsAll(List.of("serving_default", "train_step", "consolidate", "evaluate")),
          keys.toString());
      Map<String, Tensor> inputs = new HashMap<>();
      inputs.put("x", xt);
      inputs.put("task", tt);
      try (Result r = bundle.function("serving_default").call(inputs)) {
        TFloat32 p = (TFloat32) r.get("probabilities").orElseThrow();
        float[] actual = new float[expected.length];
        p.asRawTensor().data().asFloats().read(actual);
        assertArrayEquals(expected, actual);
      }
      inputs.put("y", yt);
      try (Result r = bundle.function("train_step").call(inputs)) {
        assertEquals(expectedLoss, ((TFloat32) r.get("loss").orElseThrow()).getFloat());
      }
      try (Result r = bundle.function("consolidate").call(Map.of())) {
        assertEquals(3, ((TInt32) r.get("tasks_consolidated").orElseThrow()).getInt());
      }
      try (Result r = bundle.function("evaluate").call(inputs)) {
        float accuracy = ((TFloat32) r.get("accuracy").orElseThrow()).getFloat();
        assertTrue(accuracy >= 0 && accuracy <= 1);
      }
    }
  }

  @Test
  void exportRefusesAnExistingDirectory() throws Exception {
    List<String> before = Fixtures.listing(exported);
    try (LoadedModel loaded = SavedModels.load(exported)) {
      var e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () ->
                  SavedModels.export(
                      loaded.model(), StreamDescription.of(Fixtures.STREAM), exported));
      assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }
    assertEquals(before, Fixtures.listing(exported));
    assertTrue(Files.isRegularFile(exported.resolve("assets/metaplastic.pbtxt")));
  }
}
