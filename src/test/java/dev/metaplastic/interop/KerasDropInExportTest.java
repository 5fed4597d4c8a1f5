package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.Examples;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.internal.ModelSources;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.serve.Predictor;
import dev.metaplastic.train.ModelSession;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

/**
 * An imported Keras model exported by Metaplastic replaces the Keras SavedModel for its clients:
 * the same {@code serving_default} called through plain TensorFlow Java gives the same outputs; and
 * the export reloads and keeps training.
 */
class KerasDropInExportTest {
  private static final int IMAGES = 500;
  private static final StreamDescription ORIGIN =
      StreamDescription.origin("imported", "drop-in test", "");

  @TempDir Path temp;

  @Test
  void sgdExportServesLikeTheKerasModel() {
    checkDropIn("fmnist_mlp_sgd", "input_1", "softmax");
  }

  @Test
  void adamExportServesLikeTheKerasModel() {
    checkDropIn("fmnist_mlp_adam", "flatten_input", "linear");
  }

  private void checkDropIn(String fixture, String input, String activation) {
    Examples test = Fixtures.fashionMnistTest();
    Path keras = Fixtures.pythonKeras(fixture);
    Path exported = temp.resolve(fixture);
    ImportedModel imported = KerasImport.load(keras).withReferenceAccuracy(0.5, "a reference set");
    try (ModelSession model =
        imported.open(
            OptimizerConfig.Adam.withLearningRate(1e-3),
            List.of(SynapticIntelligence.Config.SPLIT),
            3)) {
      SavedModels.export(model, ORIGIN, exported);
    }

    float[] images = Arrays.copyOf(test.features(), IMAGES * 784);
    try (SavedModelBundle original = SavedModelBundle.load(keras.toString(), "serve");
        SavedModelBundle replacement = SavedModelBundle.load(exported.toString(), "serve")) {
      SignatureDef kerasSignature =
          original.metaGraphDef().getSignatureDefOrThrow("serving_default");
      SignatureDef ourSignature =
          replacement.metaGraphDef().getSignatureDefOrThrow("serving_default");
      assertEquals(kerasSignature.getInputsMap().keySet(), ourSignature.getInputsMap().keySet());
      assertEquals(kerasSignature.getOutputsMap().keySet(), ourSignature.getOutputsMap().keySet());
      TensorInfo kerasInput = kerasSignature.getInputsOrThrow(input);
      TensorInfo ourInput = ourSignature.getInputsOrThrow(input);
      assertEquals(kerasInput.getDtype(), ourInput.getDtype());
      assertEquals(kerasInput.getTensorShape(), ourInput.getTensorShape());
      assertEquals(
          kerasSignature.getOutputsOrThrow("dense_2").getDtype(),
          ourSignature.getOutputsOrThrow("dense_2").getDtype());
      assertEquals(
          List.of(
              "consolidate",
              "consolidate_with_data",
              "evaluate",
              "predict",
              "save",
              "serving_default",
              "state",
              "train_step"),
          replacement.signatures().stream().map(Signature::key).sorted().toList());

      float[] expected = serve(original, input, images);
      float[] actual = serve(replacement, input, images);
      float worst = 0;
      for (int i = 0; i < expected.length; i++) {
        worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
      }
      assertTrue(worst <= 1e-5, fixture + ": largest difference " + worst);
    }

    Manifest manifest = ManifestFiles.read(exported);
    assertEquals(
        Manifests.SOURCE_FORMAT_VERSION,
        manifest.getFormatVersion(),
        "a manifest with a source is too new for readers of version 1");
    Source source = manifest.getSource();
    assertEquals(keras.toString(), source.getKerasSavedModel());
    assertEquals(input, source.getInputName());
    assertEquals(List.of(28L, 28L), source.getInputShapeList());
    assertEquals("dense_2", source.getOutputName());
    assertEquals(activation, source.getOutputActivation());
    assertEquals(0.5, source.getReferenceAccuracy());
    assertEquals(6, source.getMappingsCount());

    try (Predictor predictor = Predictor.open(exported)) {
      assertEquals(784, predictor.inputSize());
      assertEquals(10, predictor.classes());
    }
  }

  /** Calls {@code serving_default} of {@code bundle} on [IMAGES, 28, 28] images. */
  private static float[] serve(SavedModelBundle bundle, String input, float[] images) {
    try (TFloat32 x =
            TFloat32.tensorOf(Shape.of(IMAGES, 28, 28), DataBuffers.of(images, true, false));
        Result result = bundle.function("serving_default").call(Map.<String, Tensor>of(input, x))) {
      TFloat32 out = (TFloat32) result.get("dense_2").orElseThrow();
      float[] values = new float[(int) out.shape().size()];
      out.asRawTensor().data().asFloats().read(values);
      return values;
    }
  }

  @Test
  void exportReloadsKeepsTrainingAndStaysDropIn() {
    Examples train = Fixtures.fashionMnistTest();
    Path first = temp.resolve("first");
    Path second = temp.resolve("second");
    ImportedModel imported = KerasImport.load(Fixtures.pythonKeras("fmnist_mlp_sgd"));
    try (ModelSession model =
        imported.open(
            new OptimizerConfig.Sgd(0.01), List.of(SynapticIntelligence.Config.SPLIT), 0)) {
      SavedModels.export(model, ORIGIN, first);
    }
    float[] features = Arrays.copyOf(train.features(), 256 * 784);
    int[] labels = Arrays.copyOf(train.labels(), 256);
    int[] tasks = new int[256];
    try (LoadedModel loaded = SavedModels.load(first)) {
      ModelSession model = loaded.model();
      assertEquals(ModelSources.toProto(imported.source()), model.graph().source());
      float[] before = model.read("dense_0/kernel");
      assertTrue(Arrays.equals(before, imported.weight("dense_0/kernel")));
      for (int step = 0; step < 3; step++) {
        float loss = model.trainStep(features, labels, tasks, 256).loss();
        assertTrue(Float.isFinite(loss), "loss " + loss);
      }
      assertFalse(Arrays.equals(before, model.read("dense_0/kernel")));
      float[] pathIntegral = model.read("si/dense_0/kernel/path_integral");
      assertTrue(Arrays.stream(toDoubles(pathIntegral)).anyMatch(v -> v != 0));
      SavedModels.export(model, loaded.description().stream(), second);
    }
    try (SavedModelInfo info = SavedModelInfo.open(second)) {
      SignatureInfo serving = info.signature("serving_default");
      assertEquals(List.of(-1L, 28L, 28L), serving.input("input_1").orElseThrow().shape());
      assertTrue(serving.output("dense_2").isPresent());
    }
  }

  private static double[] toDoubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
