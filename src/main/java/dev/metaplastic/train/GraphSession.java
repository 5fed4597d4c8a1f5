package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.metaplastic.NativeLog;
import dev.metaplastic.graphs.SessionOptions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A graph, the object that built it and the session that runs it, closed together: the one place
 * where Metaplastic opens a session on a graph of its own, configured by {@link SessionOptions},
 * and the running, reading and closing that {@link ModelSession}, {@link EpisodeSession} and {@link
 * GoNoGoSession} share. Every tensor it makes or fetches is closed before the call returns; {@link
 * #close()} closes the session, then the graph, and may be called more than once. Not thread-safe.
 *
 * @param <T> what builds the graph and holds its entry points, such as a {@code TrainingGraph}
 */
final class GraphSession<T> implements AutoCloseable {
  private final String name;
  private final Graph graph;
  private final T built;
  private final Session session;
  private boolean closed;

  /**
   * Loads TensorFlow ({@link NativeLog#loadTensorFlow()}), builds a graph with {@code build} and
   * opens a session on it configured by {@code config}; the graph is closed if either fails. The
   * variables are initialised on the first run.
   *
   * @param name what the owner is called in messages, such as {@code the episode session}
   * @param config {@link SessionOptions#configProto()} or {@link
   *     SessionOptions#rewritingConfigProto()}
   */
  GraphSession(String name, Function<Graph, T> build, ConfigProto config) {
    this.name = name;
    NativeLog.loadTensorFlow();
    Graph g = new Graph();
    try {
      this.built = build.apply(g);
      this.session = new Session(g, config);
    } catch (RuntimeException | Error e) {
      g.close();
      throw e;
    }
    this.graph = g;
  }

  /** What built the graph: its entry points and variables. */
  T built() {
    return built;
  }

  /** The running session; it belongs to this object, which closes it. */
  Session session() {
    checkOpen();
    return session;
  }

  /**
   * @throws IllegalStateException if {@link #close()} was called
   */
  void checkOpen() {
    checkState(!closed, "%s is closed", name);
  }

  /** A new runner of the session, to feed and fetch. */
  Session.Runner runner() {
    return session().runner();
  }

  /** Runs {@code runner} for its targets alone. */
  static void run(Session.Runner runner) {
    runner.run().close();
  }

  /** Runs {@code runner} with {@code fetch} added; the fetched value, flattened row-major. */
  static float[] fetch(Session.Runner runner, Operand<TFloat32> fetch) {
    return fetch(runner, List.of(fetch))[0];
  }

  /**
   * Runs {@code runner} with {@code fetches} added; each fetched value, flattened row-major (a
   * scalar as one value), in the order of {@code fetches}.
   */
  static float[][] fetch(Session.Runner runner, List<? extends Operand<TFloat32>> fetches) {
    fetches.forEach(runner::fetch);
    try (Result result = runner.run()) {
      float[][] values = new float[fetches.size()][];
      for (int i = 0; i < values.length; i++) {
        values[i] = toArray((TFloat32) result.get(i));
      }
      return values;
    }
  }

  /** The value of an int scalar, such as a counter. */
  int fetchInt(Operand<?> fetch) {
    try (Result result = runner().fetch(fetch).run()) {
      return ((TInt32) result.get(0)).getInt();
    }
  }

  /** The value of a long scalar, such as a counter. */
  long fetchLong(Operand<?> fetch) {
    try (Result result = runner().fetch(fetch).run()) {
      return ((TInt64) result.get(0)).getLong();
    }
  }

  /**
   * The current value of the float variable {@code variable} of {@code variables}, flattened
   * row-major.
   *
   * @throws IllegalArgumentException if there is no such variable or it does not hold floats
   */
  float[] read(String variable, Map<String, Variable<?>> variables) {
    checkOpen();
    checkNotNull(variable, "variable name must not be null");
    Variable<?> v = variables.get(variable);
    checkArgument(
        v != null, "no variable named '%s'; the variables are %s", variable, variables.keySet());
    checkArgument(
        v.type() == TFloat32.class,
        "variable '%s' holds %s, not float",
        variable,
        v.type().getSimpleName());
    @SuppressWarnings("unchecked")
    Operand<TFloat32> floats = (Operand<TFloat32>) v;
    return fetch(runner(), floats);
  }

  /** A float tensor of {@code shape} over the first {@code shape.size()} of {@code values}. */
  static TFloat32 tensor(float[] values, Shape shape) {
    return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false).narrow(shape.size()));
  }

  private static float[] toArray(TFloat32 t) {
    float[] out = new float[(int) t.shape().size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    return closed;
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
}
