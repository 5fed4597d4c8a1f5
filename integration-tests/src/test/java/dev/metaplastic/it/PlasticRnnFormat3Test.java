package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.metaplastic.savedmodel.EpisodeModels;
import dev.metaplastic.savedmodel.LoadedEpisodeModel;
import dev.metaplastic.train.EpisodeSession;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Plastic RNN SavedModels written in manifest format 3 (test resources {@code
 * plastic-rnn-format-3/}, exported by the build of commit 9184ceb, before the state of the Oja,
 * Backpropamine and gradient rules was named after the rules) still load: the loaded model predicts
 * what the file's own graph predicts, run through a plain {@link SavedModelBundle}, takes the same
 * training step, and exports again.
 */
class PlasticRnnFormat3Test {
  private static final Path DIR =
      Path.of("src", "test", "resources", "plastic-rnn-format-3").toAbsolutePath();
  private static final int BATCH = 2;
  private static final int STEPS = 6;
  private static final int INPUTS = 3;
  private static final int OUTPUTS = 2;

  @TempDir Path work;

  @ParameterizedTest
  @ValueSource(strings = {"oja", "neuromodulated", "gradient"})
  void loadsPredictsTrainsAndExportsAsItsOwnGraphDoes(String rule) {
    Path saved = DIR.resolve(rule);
    float[] inputs = random(BATCH * STEPS * INPUTS, 1);
    float[] targets = new float[BATCH * STEPS * OUTPUTS];
    Random random = new Random(2);
    for (int s = 0; s < BATCH * STEPS; s++) {
      targets[s * OUTPUTS + random.nextInt(OUTPUTS)] = 1f;
    }
    float[] mask = new float[BATCH * STEPS];
    java.util.Arrays.fill(mask, 1f);
    float[] before;
    float[] after;
    float loss;
    try (SavedModelBundle bundle = SavedModelBundle.load(saved.toString(), "serve")) {
      before = predict(bundle, inputs);
      try (TFloat32 x = tensor(inputs, Shape.of(BATCH, STEPS, INPUTS));
          TFloat32 y = tensor(targets, Shape.of(BATCH, STEPS, OUTPUTS));
          TFloat32 m = tensor(mask, Shape.of(BATCH, STEPS));
          Result r =
              bundle
                  .function(EpisodeModels.TRAIN_EPISODE)
                  .call(Map.<String, Tensor>of("inputs", x, "targets", y, "mask", m))) {
        loss = ((TFloat32) r.get("loss").orElseThrow()).getFloat();
      }
      after = predict(bundle, inputs);
    }
    Path exported = work.resolve("again");
    try (LoadedEpisodeModel loaded = EpisodeModels.load(saved)) {
      EpisodeSession model = loaded.model();
      assertArrayEquals(before, model.predict(inputs, BATCH));
      assertEquals(loss, model.trainEpisode(inputs, targets, mask, BATCH));
      assertArrayEquals(after, model.predict(inputs, BATCH));
      EpisodeModels.export(model, "gonogo", "the format-3 model after one more step", exported);
    }
    try (LoadedEpisodeModel again = EpisodeModels.load(exported)) {
      assertArrayEquals(after, again.model().predict(inputs, BATCH));
    }
  }

  private static float[] predict(SavedModelBundle bundle, float[] inputs) {
    try (TFloat32 x = tensor(inputs, Shape.of(BATCH, STEPS, INPUTS));
        Result r =
            bundle
                .function(EpisodeModels.PREDICT_EPISODE)
                .call(Map.<String, Tensor>of("inputs", x))) {
      float[] logits = new float[BATCH * STEPS * OUTPUTS];
      ((TFloat32) r.get("logits").orElseThrow()).asRawTensor().data().asFloats().read(logits);
      return logits;
    }
  }

  private static float[] random(int size, long seed) {
    Random random = new Random(seed);
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static TFloat32 tensor(float[] values, Shape shape) {
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
  }
}
