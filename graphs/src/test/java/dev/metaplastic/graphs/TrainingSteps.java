package dev.metaplastic.graphs;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Running a {@link TrainingGraph} step by step from tests: train, load and read variables. */
final class TrainingSteps {
  private TrainingSteps() {}

  /**
   * One {@code train_step} on {@code x} ([batch, inputSize] row-major), with labels (i + shift) mod
   * classes and tasks i mod heads; returns the task loss.
   */
  static float trainStep(Session s, TrainingGraph training, float[] x, int batch, int shift) {
    MlpSpec spec = training.spec();
    int[] y = new int[batch];
    int[] task = new int[batch];
    for (int i = 0; i < batch; i++) {
      y[i] = (i + shift) % spec.classesPerHead();
      task[i] = i % spec.heads();
    }
    try (TFloat32 xt =
            TFloat32.tensorOf(Shape.of(batch, spec.inputSize()), DataBuffers.of(x, true, false));
        TInt32 yt = TInt32.tensorOf(Shape.of(batch), DataBuffers.of(y, true, false));
        TInt32 tt = TInt32.tensorOf(Shape.of(batch), DataBuffers.of(task, true, false));
        Result r =
            s.runner()
                .feed(training.x(), xt)
                .feed(training.y(), yt)
                .feed(training.task(), tt)
                .fetch(training.loss())
                .run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /** Writes {@code value} into the float variable {@code name} through its loader. */
  static void load(Session s, TrainingGraph training, String name, float[] value, Shape shape) {
    TrainingGraph.Loader loader = training.loaders().get(name);
    try (TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(value, true, false))) {
      s.runner().feed(loader.value(), t).addTarget(loader.assign()).run().close();
    }
  }

  /** A float variable's value, flattened row-major. */
  static float[] read(Session s, Operand<?> variable) {
    try (Result r = s.runner().fetch(variable).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] out = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }
}
