package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.EpisodeTrainingGraph.Loss;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.PlasticRnnSpec;
import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.StateVariable;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.ops.TraceProducts;
import dev.metaplastic.savedmodel.EpisodeModels;
import dev.metaplastic.savedmodel.LoadedEpisodeModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.EpisodeSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

/**
 * A plastic RNN of every plasticity, trained a few steps and exported: the reloaded model keeps
 * training bit-identically to a run that never stopped; {@code serving_default}, run one step at a
 * time through plain TensorFlow Java with the state and trace fed back, gives the logits of {@code
 * predict_episode}; the manifest says what the model is; and bad targets and broken directories are
 * refused with one clear message, writing nothing.
 */
class PlasticRnnSavedModelTest {
  private static final int BATCH = 3;
  private static final int BEFORE = 3;
  private static final int AFTER = 3;
  private static final double CLIP = 1.0;

  @TempDir static Path shared;

  /** Per plasticity: the export after BEFORE steps, and what the AFTER next steps gave. */
  private record Uninterrupted(Path exported, List<Float> losses, Map<String, float[]> state) {}

  private static final Map<Plasticity, Uninterrupted> RUNS = new LinkedHashMap<>();

  @TempDir Path work;

  /** Every plasticity kind of the registry. */
  static List<Plasticity> plasticities() {
    return Plasticity.values();
  }

  /** The input channel the dopamine rule reads its reward from. */
  private static final int REWARD_CHANNEL = 2;

  /** A small network; DOPAMINE alone is given a reward channel, which it needs. */
  private static PlasticRnnSpec spec(Plasticity plasticity) {
    return plasticity.readsReward()
        ? new PlasticRnnSpec(3, 5, 4, 6, plasticity, 11, OptionalInt.of(REWARD_CHANNEL))
        : new PlasticRnnSpec(3, 5, 4, 6, plasticity, 11);
  }

  /** Batch {@code i} of random episodes: inputs, one-hot targets, a mask scoring most steps. */
  private static float[][] batch(PlasticRnnSpec spec, int i) {
    Random random = new Random(100 + i);
    int steps = spec.steps();
    float[] x = new float[BATCH * steps * spec.inputSize()];
    for (int k = 0; k < x.length; k++) {
      x[k] = (float) random.nextGaussian();
    }
    float[] y = new float[BATCH * steps * spec.outputSize()];
    float[] mask = new float[BATCH * steps];
    for (int s = 0; s < BATCH * steps; s++) {
      y[s * spec.outputSize() + random.nextInt(spec.outputSize())] = 1f;
      mask[s] = random.nextInt(4) == 0 ? 0f : 1f;
    }
    return new float[][] {x, y, mask};
  }

  private static float train(EpisodeSession model, int i) {
    float[][] b = batch(model.training().spec(), i);
    return model.trainEpisode(b[0], b[1], b[2], BATCH);
  }

  /** Every float variable of the model by name, and the two counters. */
  private static Map<String, float[]> snapshot(EpisodeSession model) {
    Map<String, float[]> values = new LinkedHashMap<>();
    model
        .training()
        .variables()
        .forEach(
            (name, v) -> {
              if (v.type() == TFloat32.class) {
                values.put(name, model.read(name));
              }
            });
    values.put("training_steps", new float[] {model.trainingSteps()});
    values.put("episodes_trained", new float[] {model.episodesTrained()});
    return values;
  }

  @BeforeAll
  static void trainExportAndTrainOn() {
    for (Plasticity plasticity : Plasticity.values()) {
      PlasticRnnSpec spec = spec(plasticity);
      Path exported = shared.resolve(plasticity.name().toLowerCase());
      try (EpisodeSession model =
          new EpisodeSession(
              spec, OptimizerConfig.Adam.withLearningRate(0.02), Loss.CLASSIFICATION, CLIP)) {
        for (int i = 0; i < BEFORE; i++) {
          train(model, i);
        }
        EpisodeModels.export(model, "random", "random episodes of " + spec.describe(), exported);
        List<Float> losses = new ArrayList<>();
        for (int i = BEFORE; i < BEFORE + AFTER; i++) {
          losses.add(train(model, i));
        }
        RUNS.put(plasticity, new Uninterrupted(exported, losses, snapshot(model)));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("plasticities")
  void reloadedModelContinuesBitIdentically(Plasticity plasticity) {
    Uninterrupted run = RUNS.get(plasticity);
    try (LoadedEpisodeModel loaded = EpisodeModels.load(run.exported())) {
      EpisodeSession model = loaded.model();
      assertEquals(spec(plasticity), model.training().spec());
      assertEquals(BEFORE, model.trainingSteps());
      List<Float> losses = new ArrayList<>();
      for (int i = BEFORE; i < BEFORE + AFTER; i++) {
        losses.add(train(model, i));
      }
      assertEquals(run.losses(), losses);
      Map<String, float[]> state = snapshot(model);
      assertEquals(run.state().keySet(), state.keySet());
      run.state().forEach((name, values) -> assertArrayEquals(values, state.get(name), name));
    }
  }

  /**
   * No Metaplastic class on the call path: the session runner of a plain {@link SavedModelBundle},
   * fed and fetched by the tensor names of the signatures, state and trace fed back step by step.
   */
  @ParameterizedTest
  @MethodSource("plasticities")
  void servingOneStepAtATimeGivesTheEpisodeLogits(Plasticity plasticity) {
    PlasticRnnSpec spec = spec(plasticity);
    int steps = spec.steps();
    int in = spec.inputSize();
    int out = spec.outputSize();
    int h = spec.hidden();
    float[] inputs = batch(spec, 99)[0];
    float[] episodeLogits = new float[BATCH * steps * out];
    try (SavedModelBundle bundle =
        SavedModelBundle.load(RUNS.get(plasticity).exported().toString(), "serve")) {
      Session session = bundle.session();
      SignatureDef predict = bundle.metaGraphDef().getSignatureDefOrThrow("predict_episode");
      try (TFloat32 x = tensor(inputs, Shape.of(BATCH, steps, in));
          Result r =
              session
                  .runner()
                  .feed(name(predict.getInputsMap(), "inputs"), x)
                  .fetch(name(predict.getOutputsMap(), "logits"))
                  .run()) {
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(episodeLogits);
      }

      SignatureDef step = bundle.metaGraphDef().getSignatureDefOrThrow("serving_default");
      Set<String> expectedKeys =
          spec.carriesTrace() ? Set.of("x", "state", "trace") : Set.of("x", "state");
      assertEquals(expectedKeys, step.getInputsMap().keySet());
      assertEquals(
          spec.carriesTrace() ? Set.of("logits", "state", "trace") : Set.of("logits", "state"),
          step.getOutputsMap().keySet());
      float[] state = new float[BATCH * h];
      float[] trace = new float[BATCH * h * h];
      float[] logits = new float[BATCH * out];
      for (int t = 0; t < steps; t++) {
        float[] xt = new float[BATCH * in];
        for (int b = 0; b < BATCH; b++) {
          System.arraycopy(inputs, (b * steps + t) * in, xt, b * in, in);
        }
        try (TFloat32 x = tensor(xt, Shape.of(BATCH, in));
            TFloat32 s = tensor(state, Shape.of(BATCH, h));
            TFloat32 f = tensor(trace, Shape.of(BATCH, h, h))) {
          Session.Runner runner =
              session
                  .runner()
                  .feed(name(step.getInputsMap(), "x"), x)
                  .feed(name(step.getInputsMap(), "state"), s)
                  .fetch(name(step.getOutputsMap(), "logits"))
                  .fetch(name(step.getOutputsMap(), "state"));
          if (spec.carriesTrace()) {
            runner
                .feed(name(step.getInputsMap(), "trace"), f)
                .fetch(name(step.getOutputsMap(), "trace"));
          }
          try (Result r = runner.run()) {
            ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(logits);
            ((TFloat32) r.get(1)).asRawTensor().data().asFloats().read(state);
            if (spec.carriesTrace()) {
              ((TFloat32) r.get(2)).asRawTensor().data().asFloats().read(trace);
            }
          }
        }
        for (int b = 0; b < BATCH; b++) {
          for (int o = 0; o < out; o++) {
            assertEquals(
                episodeLogits[(b * steps + t) * out + o],
                logits[b * out + o],
                1e-5,
                "episode " + b + ", step " + t + ", logit " + o);
          }
        }
      }
    }
  }

  /** The README's snippet, run on the Hebbian model, gives the logits of predict_episode too. */
  @Test
  void readmeSnippetRunsAnEpisodeStepByStep() {
    PlasticRnnSpec spec = spec(new Plasticity("hebbian"));
    Path exported = RUNS.get(new Plasticity("hebbian")).exported();
    float[] inputs = batch(spec, 7)[0];
    float[][] episode = new float[spec.steps()][];
    for (int t = 0; t < spec.steps(); t++) {
      episode[t] =
          java.util.Arrays.copyOfRange(inputs, t * spec.inputSize(), (t + 1) * spec.inputSize());
    }
    float[][] logits = PlasticStepByStep.run(exported, episode, spec.hidden(), spec.outputSize());
    try (LoadedEpisodeModel loaded = EpisodeModels.load(exported)) {
      float[] expected =
          loaded
              .model()
              .predict(java.util.Arrays.copyOf(inputs, spec.steps() * spec.inputSize()), 1);
      for (int t = 0; t < spec.steps(); t++) {
        for (int o = 0; o < spec.outputSize(); o++) {
          assertEquals(expected[t * spec.outputSize() + o], logits[t][o], 1e-5, "step " + t);
        }
      }
    }
  }

  /** The guide (docs/guide.md) shows exactly the code of {@link PlasticStepByStep}. */
  @Test
  void guideShowsTheSnippetVerbatim() throws IOException {
    String readme = Files.readString(Path.of("..", "docs", "guide.md"));
    int start =
        readme.indexOf("```java\n", readme.indexOf("## Running a plastic RNN step by step")) + 8;
    String shown = readme.substring(start, readme.indexOf("```\n", start));
    String source =
        Files.readString(Path.of("src/test/java/dev/metaplastic/it/PlasticStepByStep.java"));
    String begin = "// README step by step begins\n";
    String body =
        source.substring(
            source.indexOf(begin) + begin.length(),
            source.indexOf("    // README step by step ends"));
    String dedented =
        body.lines()
            .map(l -> l.length() >= 4 ? l.substring(4) : l.strip())
            .collect(Collectors.joining("\n", "", "\n"));
    assertEquals(dedented, shown);
  }

  @Test
  void manifestRecordsSpecTrainingAndPlasticState() throws IOException {
    Manifest manifest = ManifestFiles.read(RUNS.get(new Plasticity("gradient")).exported());
    assertEquals(5, manifest.getFormatVersion());
    assertEquals("plastic_rnn", manifest.getModel().getKind());
    assertEquals(3, manifest.getModel().getInputSize());
    assertEquals(List.of(5), manifest.getModel().getHiddenList());
    assertEquals(4, manifest.getModel().getOutputSize());
    assertEquals(6, manifest.getModel().getSteps());
    assertEquals("gradient", manifest.getModel().getPlasticity());
    assertEquals(11, manifest.getModel().getSeed());
    assertEquals(PlasticRnnSpec.DEFAULT_BLOCK_STEPS, manifest.getModel().getTraceBlockSteps());
    assertEquals(TraceProducts.BATCHED.ordinal(), manifest.getModel().getTraceProducts());
    assertEquals("classification", manifest.getEpisodeTraining().getLoss());
    assertEquals(CLIP, manifest.getEpisodeTraining().getClipNorm());
    assertEquals(BEFORE, manifest.getEpisodeTraining().getTrainingSteps());
    assertEquals(BEFORE * BATCH, manifest.getEpisodeTraining().getEpisodesTrained());
    assertEquals("random", manifest.getEpisodeTraining().getTask());
    assertEquals("adam", manifest.getOptimizer().getName());
    assertTrue(manifest.getOptimizer().getSlotsList().contains("adam/rnn/recurrent_kernel/m"));
    assertTrue(
        manifest
            .getOptimizer()
            .getSlotsList()
            .contains("adam/gradient/rnn/recurrent_kernel/eta/v"));
    assertEquals(1, manifest.getRulesCount());
    assertEquals("gradient", manifest.getRules(0).getName());
    assertEquals(
        List.of("eta", "target_kernel", "target_bias"),
        manifest.getRules(0).getStateList().stream().map(StateVariable::getState).toList());
    assertEquals(
        "gradient/rnn/recurrent_kernel/eta", manifest.getRules(0).getState(0).getVariable());

    Manifest hebbian = ManifestFiles.read(RUNS.get(new Plasticity("hebbian")).exported());
    assertEquals(
        Set.of("hebbian/rnn/recurrent_kernel/alpha", "hebbian/rnn/recurrent_kernel/eta"),
        new HashSet<>(
            hebbian.getRules(0).getStateList().stream().map(StateVariable::getVariable).toList()));
    assertEquals(0, ManifestFiles.read(RUNS.get(Plasticity.NONE).exported()).getRulesCount());
    assertFalse(manifest.getModel().hasRewardChannel());
  }

  /**
   * The dopamine rule's manifest records the reward channel (format version 3), its fixed constants
   * and its learned state, and the reloaded spec reads the same channel.
   */
  @Test
  void dopamineManifestRecordsTheRewardChannel() throws IOException {
    Path exported = RUNS.get(new Plasticity("dopamine")).exported();
    Manifest manifest = ManifestFiles.read(exported);
    assertEquals(3, manifest.getFormatVersion());
    assertEquals("dopamine", manifest.getModel().getPlasticity());
    assertTrue(manifest.getModel().hasRewardChannel());
    assertEquals(REWARD_CHANNEL, manifest.getModel().getRewardChannel());
    assertEquals(1, manifest.getRulesCount());
    assertEquals("dopamine", manifest.getRules(0).getName());
    assertEquals(
        Map.of("trace_clip", 1.0, "gain_slope", 1.0, "max_gain", 2.0),
        manifest.getRules(0).getHyperparametersMap());
    assertEquals(
        List.of("alpha", "value_kernel", "value_bias"),
        manifest.getRules(0).getStateList().stream().map(StateVariable::getState).toList());
    try (LoadedEpisodeModel loaded = EpisodeModels.load(exported)) {
      assertEquals(
          OptionalInt.of(REWARD_CHANNEL), loaded.model().training().spec().rewardChannel());
    }
  }

  @Test
  void exportRefusesAFileOrANonEmptyDirectoryAndWritesNothing() throws IOException {
    Path file = Files.writeString(work.resolve("file"), "not a directory");
    Path full = Files.createDirectories(work.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "mine");
    List<String> before = Fixtures.listing(work);
    try (LoadedEpisodeModel loaded =
        EpisodeModels.load(RUNS.get(new Plasticity("oja")).exported())) {
      IllegalArgumentException toFile =
          assertThrows(
              IllegalArgumentException.class,
              () -> EpisodeModels.export(loaded.model(), "random", "random", file));
      assertTrue(toFile.getMessage().contains("is a file"), toFile.getMessage());
      IllegalArgumentException toFull =
          assertThrows(
              IllegalArgumentException.class,
              () -> EpisodeModels.export(loaded.model(), "random", "random", full));
      assertTrue(toFull.getMessage().contains("not empty"), toFull.getMessage());
      assertEquals(before, Fixtures.listing(work));

      Path empty = Files.createDirectories(work.resolve("empty"));
      EpisodeModels.export(loaded.model(), "random", "random", empty);
      assertTrue(Files.isRegularFile(empty.resolve("assets/metaplastic.pbtxt")));
      try (Stream<Path> entries = Files.list(work)) {
        assertFalse(
            entries.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-")),
            "a temporary directory was left behind");
      }
    }
  }

  @Test
  void loadRefusesAMissingOrCorruptManifest() throws IOException {
    Path exported = RUNS.get(new Plasticity("neuromodulated")).exported();
    Path missing = Listing.copy(exported, work.resolve("missing"));
    Files.delete(missing.resolve(SavedModels.MANIFEST));
    IllegalArgumentException noManifest =
        assertThrows(IllegalArgumentException.class, () -> EpisodeModels.load(missing));
    assertTrue(noManifest.getMessage().contains("not a Metaplastic one"), noManifest.getMessage());

    Path corrupt = Listing.copy(exported, work.resolve("corrupt"));
    Files.writeString(corrupt.resolve(SavedModels.MANIFEST), "model { kind: plastic_rnn");
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> EpisodeModels.load(corrupt));
    assertTrue(bad.getMessage().contains("is not a valid manifest"), bad.getMessage());

    Path wrongKind = Listing.copy(exported, work.resolve("wrong-kind"));
    Path manifest = wrongKind.resolve(SavedModels.MANIFEST);
    Files.writeString(
        manifest,
        Files.readString(manifest)
            .replace("plasticity: \"neuromodulated\"", "plasticity: \"telepathic\""));
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> EpisodeModels.load(wrongKind));
    assertTrue(unknown.getMessage().contains("telepathic"), unknown.getMessage());

    Path unknownProducts = Listing.copy(exported, work.resolve("unknown-products"));
    Path products = unknownProducts.resolve(SavedModels.MANIFEST);
    String text = Files.readString(products);
    assertTrue(text.contains("trace_products: 1"), text);
    Files.writeString(products, text.replace("trace_products: 1", "trace_products: 7"));
    IllegalArgumentException productsRefused =
        assertThrows(IllegalArgumentException.class, () -> EpisodeModels.load(unknownProducts));
    assertTrue(
        productsRefused.getMessage().contains("trace_products must be 0 (elementwise) to 1, got 7"),
        productsRefused.getMessage());

    IllegalArgumentException asMlp =
        assertThrows(IllegalArgumentException.class, () -> SavedModels.load(exported));
    assertTrue(asMlp.getMessage().contains("EpisodeModels.load"), asMlp.getMessage());
  }

  private static String name(Map<String, TensorInfo> tensors, String key) {
    TensorInfo info = tensors.get(key);
    assertTrue(info != null, "signature has no tensor " + key + ": " + tensors.keySet());
    return info.getName();
  }

  private static TFloat32 tensor(float[] values, Shape shape) {
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
  }
}
