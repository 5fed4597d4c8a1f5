package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A minimal owner of an {@link EpisodeTrainingGraph} and its {@link Session}: feeds flat row-major
 * {@code float[]} episodes, runs the entry points and returns plain Java values. Every tensor it
 * makes is closed before the call returns; {@link #close()} closes the session and the graph and
 * may be called more than once. Not thread-safe.
 */
public final class EpisodeSession implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final EpisodeTrainingGraph training;
  private boolean closed;

  /**
   * The result of {@code evaluate_episode}.
   *
   * @param loss the masked mean loss
   * @param metric accuracy (CLASSIFICATION) or mean squared error (REGRESSION) over scored steps
   */
  public record Evaluation(float loss, float metric) {}

  /**
   * Builds the graph and opens a session on it; the variables are initialised on the first run.
   *
   * @see EpisodeTrainingGraph#EpisodeTrainingGraph
   */
  public EpisodeSession(
      PlasticRnnSpec spec,
      OptimizerConfig optimizer,
      EpisodeTrainingGraph.Loss loss,
      double clipNorm) {
    this(spec, optimizer, loss, clipNorm, SessionOptions.DEFAULT);
  }

  /**
   * As {@link #EpisodeSession(PlasticRnnSpec, OptimizerConfig, EpisodeTrainingGraph.Loss, double)},
   * with the session's threads set by {@code options}.
   */
  public EpisodeSession(
      PlasticRnnSpec spec,
      OptimizerConfig optimizer,
      EpisodeTrainingGraph.Loss loss,
      double clipNorm,
      SessionOptions options) {
    NativeLog.loadTensorFlow();
    Graph g = new Graph();
    try {
      this.training = new EpisodeTrainingGraph(g, spec, optimizer, loss, clipNorm);
      this.session = new Session(g, options.rewritingConfigProto());
    } catch (RuntimeException | Error e) {
      g.close();
      throw e;
    }
    this.graph = g;
  }

  /** The graph and its entry points. */
  public EpisodeTrainingGraph training() {
    return training;
  }

  /**
   * The running session, to save, restore or export the variables; it belongs to this object, which
   * closes it.
   */
  public Session session() {
    checkOpen();
    return session;
  }

  /** How many times {@code train_episode} ran on this model, restored ones included. */
  public long trainingSteps() {
    return readLong(training.trainingSteps());
  }

  /** How many episodes {@code train_episode} trained on, restored ones included. */
  public long episodesTrained() {
    return readLong(training.episodesTrained());
  }

  private long readLong(Operand<TInt64> counter) {
    checkOpen();
    try (Result r = session.runner().fetch(counter).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  /**
   * Runs {@code train_episode}: one optimizer step on the batch.
   *
   * @param inputs [batch, T, inputSize], row-major
   * @param targets [batch, T, outputSize], row-major
   * @param mask [batch, T], row-major
   * @param batch number of episodes B &gt; 0
   * @return the loss before the step; NaN or infinite when training diverged
   */
  public float trainEpisode(float[] inputs, float[] targets, float[] mask, int batch) {
    return runEpisode(inputs, targets, mask, batch, training.trainLoss())[0];
  }

  /** Runs {@code evaluate_episode} on the batch (same layouts as {@link #trainEpisode}). */
  public Evaluation evaluate(float[] inputs, float[] targets, float[] mask, int batch) {
    float[] values =
        runEpisode(inputs, targets, mask, batch, training.evaluateLoss(), training.metric());
    return new Evaluation(values[0], values[1]);
  }

  /** Feeds one batch of episodes and fetches the scalar outputs {@code fetches}. */
  @SafeVarargs
  private float[] runEpisode(
      float[] inputs, float[] targets, float[] mask, int batch, Operand<TFloat32>... fetches) {
    checkOpen();
    checkEpisode(inputs, targets, mask, batch);
    PlasticRnnSpec spec = training.spec();
    try (TFloat32 x = tensor(inputs, Shape.of(batch, spec.steps(), spec.inputSize()));
        TFloat32 y = tensor(targets, Shape.of(batch, spec.steps(), spec.outputSize()));
        TFloat32 m = tensor(mask, Shape.of(batch, spec.steps()))) {
      var runner =
          session
              .runner()
              .feed(training.inputs(), x)
              .feed(training.targets(), y)
              .feed(training.mask(), m);
      for (Operand<TFloat32> fetch : fetches) {
        runner.fetch(fetch);
      }
      try (Result r = runner.run()) {
        float[] values = new float[fetches.length];
        for (int i = 0; i < values.length; i++) {
          values[i] = ((TFloat32) r.get(i)).getFloat();
        }
        return values;
      }
    }
  }

  /**
   * Runs {@code predict}.
   *
   * @param inputs [batch, T, inputSize], row-major
   * @param batch number of episodes B &gt; 0
   * @return the logits [batch, T, outputSize], row-major
   */
  public float[] predict(float[] inputs, int batch) {
    checkOpen();
    checkArgument(batch > 0, "batch must be > 0, got %s", batch);
    PlasticRnnSpec spec = training.spec();
    checkLength("inputs", inputs, batch, spec.steps(), spec.inputSize(), "inputSize");
    try (TFloat32 x = tensor(inputs, Shape.of(batch, spec.steps(), spec.inputSize()));
        Result r = session.runner().feed(training.inputs(), x).fetch(training.logits()).run()) {
      return toArray((TFloat32) r.get(0));
    }
  }

  /**
   * The current value of a float variable, flattened row-major.
   *
   * @param variable a name of {@link EpisodeTrainingGraph#variables()}, such as {@code
   *     rnn/recurrent_kernel} or {@code adam/rnn/bias/m}
   */
  public float[] read(String variable) {
    checkOpen();
    checkNotNull(variable, "variable name must not be null");
    Map<String, Variable<?>> all = training.variables();
    Variable<?> v = all.get(variable);
    checkArgument(
        v != null, "no variable named '%s'; the variables are %s", variable, all.keySet());
    checkArgument(
        v.type() == TFloat32.class,
        "variable '%s' holds %s, not float",
        variable,
        v.type().getSimpleName());
    try (Result r = session.runner().fetch(v).run()) {
      return toArray((TFloat32) r.get(0));
    }
  }

  /** Closes the session, then the graph; later calls do nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      session.close();
    } finally {
      graph.close();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    checkState(!closed, "the episode session is closed");
  }

  private void checkEpisode(float[] inputs, float[] targets, float[] mask, int batch) {
    checkArgument(batch > 0, "batch must be > 0, got %s", batch);
    PlasticRnnSpec spec = training.spec();
    checkLength("inputs", inputs, batch, spec.steps(), spec.inputSize(), "inputSize");
    checkLength("targets", targets, batch, spec.steps(), spec.outputSize(), "outputSize");
    checkLength("mask", mask, batch, spec.steps(), 1, null);
  }

  /** Checks {@code values.length == batch × steps × width} with a message naming both sizes. */
  private static void checkLength(
      String what, float[] values, int batch, int steps, int width, String widthName) {
    checkNotNull(values, "%s must not be null", what);
    long expected = (long) batch * steps * width;
    if (values.length != expected) {
      String layout =
          widthName == null
              ? String.format("[batch, steps] = [%d, %d]", batch, steps)
              : String.format("[batch, steps, %s] = [%d, %d, %d]", widthName, batch, steps, width);
      throw new IllegalArgumentException(
          String.format(
              "%s must hold %s, that is %d floats, got %d", what, layout, expected, values.length));
    }
  }

  private static TFloat32 tensor(float[] values, Shape shape) {
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
  }

  private static float[] toArray(TFloat32 t) {
    float[] out = new float[(int) t.shape().size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }
}
