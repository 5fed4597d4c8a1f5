package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.graphs.GoNoGoAgentSpec;
import dev.metaplastic.graphs.GoNoGoTrainingGraph;
import dev.metaplastic.graphs.SessionOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The owner of a {@link GoNoGoTrainingGraph} and its {@link Session}: feeds flat row-major {@code
 * float[]} episodes, trains, plays and returns plain Java values. Every tensor it makes is closed
 * before the call returns; {@link #close()} closes the session and the graph and may be called more
 * than once. Not thread-safe.
 */
public final class GoNoGoSession implements AutoCloseable {
  private final GraphSession<GoNoGoTrainingGraph> owner;
  private final GoNoGoTrainingGraph training;

  /**
   * A played batch: each series [B, T] row-major, by the names of {@link
   * GoNoGoTrainingGraph#play()}, and the loss.
   */
  public record Played(Map<String, float[]> series, float loss) {
    /** The series {@code name}, such as {@code actions}. */
    public float[] get(String name) {
      float[] values = series.get(name);
      checkArgument(values != null, "no series '%s'; there are %s", name, series.keySet());
      return values;
    }
  }

  /** Builds the graph and opens a session on it; the variables are initialised on the first run. */
  public GoNoGoSession(GoNoGoAgentSpec spec, GoNoGoTrainingGraph.Config config) {
    this(spec, config, SessionOptions.DEFAULT);
  }

  /**
   * As {@link #GoNoGoSession(GoNoGoAgentSpec, GoNoGoTrainingGraph.Config)}, with {@code options}.
   */
  public GoNoGoSession(
      GoNoGoAgentSpec spec, GoNoGoTrainingGraph.Config config, SessionOptions options) {
    this.owner =
        new GraphSession<>(
            "the Go/No-Go session",
            g -> new GoNoGoTrainingGraph(g, spec, config),
            options.configProto());
    this.training = owner.built();
  }

  /** The graph and its entry points. */
  public GoNoGoTrainingGraph training() {
    return training;
  }

  /**
   * One optimizer step on a batch.
   *
   * @param cues [B, T, K] one-hot, row-major
   * @param outcomeGo [B, T], 1 where the trial is rewarded as Go
   * @param batch B &gt; 0
   * @param noiseKey the key of the noise that draws the actions (say, the run's seed and the step)
   * @return the loss before the step; NaN or infinite when training diverged
   */
  public float train(float[] cues, float[] outcomeGo, int batch, long[] noiseKey) {
    return run(cues, outcomeGo, batch, noiseKey, List.of(training.trainLoss()))[0][0];
  }

  /** Plays a batch without training (same layouts as {@link #train}). */
  public Played play(float[] cues, float[] outcomeGo, int batch, long[] noiseKey) {
    Map<String, Operand<TFloat32>> outputs = training.play();
    float[][] values = run(cues, outcomeGo, batch, noiseKey, List.copyOf(outputs.values()));
    Map<String, float[]> series = new LinkedHashMap<>();
    float loss = Float.NaN;
    int i = 0;
    for (String name : outputs.keySet()) {
      if (name.equals("loss")) {
        loss = values[i][0];
      } else {
        series.put(name, values[i]);
      }
      i++;
    }
    return new Played(series, loss);
  }

  private float[][] run(
      float[] cues,
      float[] outcomeGo,
      int batch,
      long[] noiseKey,
      List<Operand<TFloat32>> fetches) {
    owner.checkOpen();
    checkArgument(batch > 0, "batch must be > 0, got %s", batch);
    GoNoGoAgentSpec spec = training.spec();
    checkNotNull(cues, "cues");
    checkNotNull(outcomeGo, "outcomeGo");
    checkArgument(
        cues.length == (long) batch * spec.trials() * spec.cues(),
        "cues must hold [batch, trials, cues] = [%s, %s, %s] floats, got %s",
        batch,
        spec.trials(),
        spec.cues(),
        cues.length);
    checkArgument(
        outcomeGo.length == (long) batch * spec.trials(),
        "outcomeGo must hold [batch, trials] = [%s, %s] floats, got %s",
        batch,
        spec.trials(),
        outcomeGo.length);
    checkArgument(
        noiseKey != null && noiseKey.length == 2,
        "the noise key must be two longs, got %s",
        noiseKey == null ? "null" : noiseKey.length);
    try (TFloat32 c = GraphSession.tensor(cues, Shape.of(batch, spec.trials(), spec.cues()));
        TFloat32 g = GraphSession.tensor(outcomeGo, Shape.of(batch, spec.trials()));
        TInt64 k = TInt64.vectorOf(noiseKey)) {
      return GraphSession.fetch(
          owner
              .runner()
              .feed(training.cues(), c)
              .feed(training.outcomeGo(), g)
              .feed(training.seed(), k),
          fetches);
    }
  }

  /**
   * The current value of a float variable, flattened row-major.
   *
   * @param variable a name of {@link GoNoGoTrainingGraph#variables()}, such as {@code
   *     gated_hebbian/rnn/input_kernel/eta}
   */
  public float[] read(String variable) {
    return owner.read(variable, training.variables());
  }

  /** The running session, to save or export the variables; it belongs to this object. */
  public Session session() {
    return owner.session();
  }

  /** Closes the session, then the graph; later calls do nothing. */
  @Override
  public void close() {
    owner.close();
  }
}
