package dev.metaplastic.it;

import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The guide's (docs/guide.md) "Running a plastic RNN step by step", verbatim between the markers,
 * so that it always compiles; {@link PlasticRnnSavedModelTest} runs it.
 */
final class PlasticStepByStep {
  private PlasticStepByStep() {}

  /**
   * Runs one episode, {@code episode[t]} the input of step t, through the {@code serving_default}
   * signature of a plastic RNN SavedModel with {@code hidden} units; returns the logits of each
   * step.
   */
  static float[][] run(Path dir, float[][] episode, int hidden, int outputSize) {
    // README step by step begins
    float[][] logits = new float[episode.length][outputSize];
    float[] state = new float[hidden]; // h_0 = 0
    float[] trace = new float[hidden * hidden]; // nothing learned yet in this episode
    try (SavedModelBundle model = SavedModelBundle.load(dir.toString(), "serve")) {
      SessionFunction step = model.function("serving_default");
      for (int t = 0; t < episode.length; t++) {
        try (TFloat32 x =
                TFloat32.tensorOf(
                    Shape.of(1, episode[t].length), DataBuffers.of(episode[t], true, false));
            TFloat32 h =
                TFloat32.tensorOf(Shape.of(1, hidden), DataBuffers.of(state, true, false));
            TFloat32 f =
                TFloat32.tensorOf(Shape.of(1, hidden, hidden), DataBuffers.of(trace, true, false));
            Result out = step.call(Map.of("x", x, "state", h, "trace", f))) {
          out.get("logits").orElseThrow().asRawTensor().data().asFloats().read(logits[t]);
          out.get("state").orElseThrow().asRawTensor().data().asFloats().read(state);
          out.get("trace").orElseThrow().asRawTensor().data().asFloats().read(trace);
        }
      }
    }
    // README step by step ends
    return logits;
  }
}
