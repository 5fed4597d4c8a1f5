package dev.metaplastic.serve;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Signature.TensorDescription;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Latency of {@link Predictor#predictFlat} next to a raw {@code Session.runner()} call of the same
 * graph, for the {@code bench} command. A measurement, not a test: figures depend on the machine.
 *
 * <p>Both variants do the same work per call: make the input tensors from the same flat arrays,
 * feed {@code x} (and {@code task}, all zeros, for multi-head models), fetch {@code probabilities}
 * and copy it into a new {@code float[]}. The raw call feeds and fetches by the signature's tensor
 * names ({@code "x:0"}); the predictor adds validation, its read lock and pre-resolved outputs. The
 * two are called alternately, in alternating order, after a warm-up, so that drift in the machine's
 * load (other processes, JIT compilation) falls on both alike.
 */
public final class PredictorBenchmark {
  /** Batch sizes measured. */
  private static final int[] BATCHES = {1, 64};

  private PredictorBenchmark() {}

  /**
   * Loads the SavedModel in {@code savedModelDir}, times both variants and returns printable lines:
   * for each batch size, p50 and p99 latency of the predictor and of the raw runner, and their
   * ratios (predictor ÷ raw).
   *
   * @param savedModelDir a SavedModel directory with a {@code serving_default} signature
   * @param iterations timed calls per variant and batch size, at least 10; a warm-up of {@code
   *     max(100, iterations / 5)} calls per variant comes first
   * @return the report, lines ending with a line separator
   * @throws IllegalArgumentException if {@code iterations} is below 10 or the directory holds no
   *     model a {@link Predictor} accepts
   */
  public static String run(Path savedModelDir, int iterations) {
    checkArgument(iterations >= 10, "iterations must be at least 10, got %s", iterations);
    int warmUp = Math.max(100, iterations / 5);
    StringBuilder report = new StringBuilder();
    try (SavedModelBundle bundle = Predictor.load(savedModelDir);
        Predictor predictor = Predictor.wrap(bundle, savedModelDir.toString())) {
      Signature signature = servingSignature(bundle);
      Map<String, TensorDescription> inputs = signature.getInputs();
      String xName = inputs.get(Predictor.X).name;
      String taskName = predictor.multiHead() ? inputs.get(Predictor.TASK).name : null;
      String probabilitiesName = signature.getOutputs().get(Predictor.PROBABILITIES).name;
      report.append(
          String.format(
              Locale.ROOT,
              "predictor vs raw Session.runner() on %s (%d features → %d classes, %s):"
                  + " %d timed calls per variant after %d warm-up, interleaved%n",
              savedModelDir,
              predictor.inputSize(),
              predictor.classes(),
              predictor.multiHead() ? "multi-head, task 0" : "single-head",
              iterations,
              warmUp));
      for (int batch : BATCHES) {
        float[] x = features(batch * predictor.inputSize());
        int[] task = predictor.multiHead() ? new int[batch] : null;
        Runnable viaPredictor = () -> predictor.predictFlat(x, batch, task);
        Runnable raw =
            () ->
                rawCall(
                    bundle.session(),
                    xName,
                    taskName,
                    probabilitiesName,
                    x,
                    task,
                    batch,
                    predictor.inputSize(),
                    predictor.classes());
        for (int i = 0; i < warmUp; i++) {
          viaPredictor.run();
          raw.run();
        }
        long[] predictorNanos = new long[iterations];
        long[] rawNanos = new long[iterations];
        for (int i = 0; i < iterations; i++) {
          if (i % 2 == 0) {
            predictorNanos[i] = time(viaPredictor);
            rawNanos[i] = time(raw);
          } else {
            rawNanos[i] = time(raw);
            predictorNanos[i] = time(viaPredictor);
          }
        }
        double p50 = percentileMicros(predictorNanos, 50);
        double p99 = percentileMicros(predictorNanos, 99);
        double rawP50 = percentileMicros(rawNanos, 50);
        double rawP99 = percentileMicros(rawNanos, 99);
        report.append(
            String.format(
                Locale.ROOT,
                "  batch %3d: predictor p50 %8.1f µs  p99 %8.1f µs | raw p50 %8.1f µs  p99 %8.1f µs"
                    + " | predictor ÷ raw: p50 %.3f  p99 %.3f%n",
                batch,
                p50,
                p99,
                rawP50,
                rawP99,
                p50 / rawP50,
                p99 / rawP99));
      }
    }
    return report.toString();
  }

  private static void rawCall(
      Session session,
      String xName,
      String taskName,
      String probabilitiesName,
      float[] x,
      int[] task,
      int batch,
      int inputSize,
      int classes) {
    float[] out = new float[batch * classes];
    try (TFloat32 xTensor =
            TFloat32.tensorOf(Shape.of(batch, inputSize), DataBuffers.of(x, true, false));
        TInt32 taskTensor =
            task == null
                ? null
                : TInt32.tensorOf(Shape.of(batch), DataBuffers.of(task, true, false))) {
      Session.Runner runner = session.runner().feed(xName, xTensor);
      if (taskTensor != null) {
        runner.feed(taskName, taskTensor);
      }
      try (Result result = runner.fetch(probabilitiesName).run()) {
        ((TFloat32) result.get(0)).copyTo(DataBuffers.of(out, false, false));
      }
    }
  }

  private static Signature servingSignature(SavedModelBundle bundle) {
    for (Signature signature : bundle.signatures()) {
      if (signature.key().equals(Predictor.SIGNATURE_KEY)) {
        return signature;
      }
    }
    throw new IllegalStateException("no " + Predictor.SIGNATURE_KEY + " signature");
  }

  /** Deterministic features in [0, 1), like normalized pixels. */
  private static float[] features(int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (i * 7919L % 1000) / 1000f;
    }
    return x;
  }

  private static long time(Runnable call) {
    long start = System.nanoTime();
    call.run();
    return System.nanoTime() - start;
  }

  /** Nearest-rank percentile, in microseconds. */
  private static double percentileMicros(long[] nanos, int percent) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1000.0;
  }
}
