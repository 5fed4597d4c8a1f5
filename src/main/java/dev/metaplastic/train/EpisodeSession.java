package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.graphs.EpisodeTrainingGraph;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.PlasticRnnSpec;
import dev.metaplastic.graphs.SessionOptions;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * A minimal owner of an {@link EpisodeTrainingGraph} and its {@link Session}: feeds flat row-major
 * {@code float[]} episodes, runs the entry points and returns plain Java values. Every tensor it
 * makes is closed before the call returns; {@link #close()} closes the session and the graph and
 * may be called more than once. Not thread-safe.
 */
public final class EpisodeSession implements AutoCloseable {
  private final GraphSession<EpisodeTrainingGraph> owner;
  private final EpisodeTrainingGraph training;

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
    this.owner =
        new GraphSession<>(
            "the episode session",
            g -> new EpisodeTrainingGraph(g, spec, optimizer, loss, clipNorm),
            options.rewritingConfigProto());
    this.training = owner.built();
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
    return owner.session();
  }

  /** How many times {@code train_episode} ran on this model, restored ones included. */
  public long trainingSteps() {
    return owner.fetchLong(training.trainingSteps());
  }

  /** How many episodes {@code train_episode} trained on, restored ones included. */
  public long episodesTrained() {
    return owner.fetchLong(training.episodesTrained());
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
    return runEpisode(inputs, targets, mask, batch, List.of(training.trainLoss()))[0][0];
  }

  /** Runs {@code evaluate_episode} on the batch (same layouts as {@link #trainEpisode}). */
  public Evaluation evaluate(float[] inputs, float[] targets, float[] mask, int batch) {
    float[][] values =
        runEpisode(
            inputs, targets, mask, batch, List.of(training.evaluateLoss(), training.metric()));
    return new Evaluation(values[0][0], values[1][0]);
  }

  /** Feeds one batch of episodes and fetches {@code fetches}. */
  private float[][] runEpisode(
      float[] inputs, float[] targets, float[] mask, int batch, List<Operand<TFloat32>> fetches) {
    owner.checkOpen();
    checkEpisode(inputs, targets, mask, batch);
    PlasticRnnSpec spec = training.spec();
    try (TFloat32 x = GraphSession.tensor(inputs, Shape.of(batch, spec.steps(), spec.inputSize()));
        TFloat32 y =
            GraphSession.tensor(targets, Shape.of(batch, spec.steps(), spec.outputSize()));
        TFloat32 m = GraphSession.tensor(mask, Shape.of(batch, spec.steps()))) {
      return GraphSession.fetch(
          owner
              .runner()
              .feed(training.inputs(), x)
              .feed(training.targets(), y)
              .feed(training.mask(), m),
          fetches);
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
    owner.checkOpen();
    checkArgument(batch > 0, "batch must be > 0, got %s", batch);
    PlasticRnnSpec spec = training.spec();
    checkLength("inputs", inputs, batch, spec.steps(), spec.inputSize(), "inputSize");
    try (TFloat32 x =
        GraphSession.tensor(inputs, Shape.of(batch, spec.steps(), spec.inputSize()))) {
      return GraphSession.fetch(owner.runner().feed(training.inputs(), x), training.logits());
    }
  }

  /**
   * The current value of a float variable, flattened row-major.
   *
   * @param variable a name of {@link EpisodeTrainingGraph#variables()}, such as {@code
   *     rnn/recurrent_kernel} or {@code adam/rnn/bias/m}
   */
  public float[] read(String variable) {
    return owner.read(variable, training.variables());
  }

  /** Closes the session, then the graph; later calls do nothing. */
  @Override
  public void close() {
    owner.close();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return owner.isClosed();
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
}
