package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.Examples;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.NativeLog;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.TrainingGraph;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.ops.ConsolidationFromData;
import dev.metaplastic.ops.RuleConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A training graph and the session that runs it; the one owner of both, closed together.
 *
 * <p>Batches are flat row-major arrays, validated before anything reaches TensorFlow, so a wrong
 * shape gives a message naming the expected and actual sizes instead of a native error.
 */
public final class ModelSession implements AutoCloseable {
  /**
   * Runs the graph as built, without Grappler's rewrites: they bring no measurable speed to these
   * small dense graphs but cost 0.1–0.3 s at the first call of every entry point (measured with
   * {@code metaplastic bench}), which dominated short runs.
   */
  private static final ConfigProto SESSION_CONFIG =
      ConfigProto.newBuilder()
          .setGraphOptions(
              GraphOptions.newBuilder()
                  .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
          .build();

  private final Graph graph;
  private final Session session;
  private final TrainingGraph training;
  private final MlpSpec spec;

  /** Builds the training graph and opens a session on it. */
  public ModelSession(MlpSpec spec, OptimizerConfig optimizer, List<? extends RuleConfig> rules) {
    this(spec, optimizer, rules, null);
  }

  /**
   * Builds the training graph of a model imported from {@code source} (or made here, if it is
   * {@code null}) and opens a session on it; with a source, the graph also reproduces the source's
   * serving interface, which {@code SavedModels.export} makes the export's {@code serving_default}.
   *
   * @throws dev.metaplastic.InvalidInputException if the model would not fit in memory ({@link
   *     SizeLimits#checkModel})
   */
  public ModelSession(
      MlpSpec spec, OptimizerConfig optimizer, List<? extends RuleConfig> rules, Source source) {
    SizeLimits.checkModel(spec);
    this.spec = spec;
    NativeLog.loadTensorFlow();
    this.graph = new Graph();
    try {
      // What the graph refuses (such as two rules that both transform the optimizer's steps) is a
      // choice of the user's: of options, or of the manifest a model was saved with.
      this.training =
          InvalidInputException.validating(
              "", () -> new TrainingGraph(graph, spec, optimizer, rules, source));
      this.session = new Session(graph, SESSION_CONFIG);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** The training graph, to reach its handles and variables. */
  public TrainingGraph graph() {
    return training;
  }

  /** The running session. */
  public Session session() {
    return session;
  }

  /** The model's architecture. */
  public MlpSpec spec() {
    return spec;
  }

  /**
   * Reads a variable of the graph, such as {@code dense_0/kernel} or {@code
   * si/dense_0/kernel/importance}, as a flat row-major array.
   *
   * @throws IllegalArgumentException if the graph has no float variable of that name
   */
  public float[] read(String variable) {
    checkArgument(
        training.loaders().containsKey(variable),
        "the model has no float variable '%s'; it has %s",
        variable,
        training.loaders().keySet());
    try (Result result = session.runner().fetch(training.variables().get(variable)).run()) {
      TFloat32 t = (TFloat32) result.get(0);
      float[] values = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(values);
      return values;
    }
  }

  /**
   * Overwrites a float variable with a flat row-major array of its size.
   *
   * @throws IllegalArgumentException if there is no such variable or the size differs
   */
  public void write(String variable, float[] values) {
    TrainingGraph.Loader loader = training.loaders().get(variable);
    checkArgument(
        loader != null,
        "the model has no float variable '%s'; it has %s",
        variable,
        training.loaders().keySet());
    Shape shape = training.variables().get(variable).shape();
    checkArgument(
        values.length == shape.size(),
        "variable '%s' has shape %s (%s values), got %s values",
        variable,
        shape,
        shape.size(),
        values.length);
    try (TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(values, true, false))) {
      session.runner().feed(loader.value(), t).addTarget(loader.assign()).run().close();
    }
  }

  /**
   * Restarts every rule's bookkeeping of the current task from the current weights, keeping what
   * past tasks consolidated; call it after overwriting weights with {@link #write}.
   */
  public void rebase() {
    session.runner().addTarget(training.rebase()).run().close();
  }

  /** The result of one training step. */
  public record StepResult(float loss, float penalty) {}

  /**
   * Runs one optimizer step on a batch of {@code count} examples.
   *
   * @param features [count × inputSize] row-major
   * @param labels class index of each example within its head
   * @param tasks head of each example (ignored by single-head models)
   * @param count number of examples; the arrays may be longer
   */
  public StepResult trainStep(float[] features, int[] labels, int[] tasks, int count) {
    validate(features, labels, tasks, count);
    try (Feeds feeds = new Feeds(features, labels, tasks, count);
        Result result =
            feeds
                .feedTo(session.runner())
                .fetch(training.loss())
                .fetch(training.stepPenalty())
                .run()) {
      return new StepResult(
          ((TFloat32) result.get(0)).getFloat(), ((TFloat32) result.get(1)).getFloat());
    }
  }

  /**
   * Lets every rule that estimates importance from data (a {@link ConsolidationFromData}) see its
   * number of examples of {@code examples}, one at a time, each with weight 1/n; call it before
   * {@link #consolidate()} at a task boundary. The examples are drawn without replacement (all of
   * them if there are fewer) by a generator seeded with {@code seed}, and each example's seed for
   * sampling rules is (seed, index), so the estimate is a function of the weights, the data and the
   * seed alone.
   */
  public void estimateImportance(Examples examples, long seed) {
    estimate(examples, 0, seed);
  }

  /**
   * As {@link #estimateImportance(Examples, long)}, but every rule sees {@code samples} examples
   * (all of them if there are fewer) instead of its own number: for a task boundary where the data
   * at hand, not the rule, sets the sample, such as the original task of a model imported from
   * Keras.
   */
  public void estimateImportance(Examples examples, int samples, long seed) {
    checkArgument(samples > 0, "importance needs at least 1 example, got %s", samples);
    estimate(examples, samples, seed);
  }

  /**
   * Runs every estimator on {@code samples} examples, or on its own number if that is 0: the
   * examples of each rule in one evaluation of its {@code estimate/<rule>} entry, which takes them
   * one at a time in order, example i with seed (seed, i) and weight 1/n.
   */
  private void estimate(Examples examples, int samples, long seed) {
    checkArgument(examples.size() > 0, "cannot estimate importance on an empty set");
    for (var rule : training.rules()) {
      if (!(rule instanceof ConsolidationFromData fromData)) {
        continue;
      }
      int n = Math.min(samples > 0 ? samples : fromData.estimator().samples(), examples.size());
      int[] order = sampleWithoutReplacement(examples.size(), n, new SplittableRandom(seed));
      float[] features = new float[n * spec.inputSize()];
      int[] labels = new int[n];
      int[] tasks = new int[n];
      examples.gather(order, 0, n, features, labels, tasks);
      try (Feeds feeds = new Feeds(features, labels, tasks, n);
          TInt64 batchSeed = TInt64.scalarOf(seed)) {
        feeds
            .feedTo(session.runner())
            .feed(training.estimateSeed(), batchSeed)
            .addTarget(training.estimates().get(rule.config().name()))
            .run()
            .close();
      }
    }
  }

  /** The first {@code n} entries of a random permutation of [0, size). */
  private static int[] sampleWithoutReplacement(int size, int n, SplittableRandom random) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    for (int i = 0; i < n; i++) {
      int j = i + random.nextInt(size - i);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  /** Runs every rule's task-boundary update; returns the number of boundaries so far. */
  public int consolidate() {
    try (Result result = session.runner().fetch(training.tasksConsolidated()).run()) {
      return ((TInt32) result.get(0)).getInt();
    }
  }

  /**
   * Class probabilities of {@code count} examples, row-major [count × classesPerHead].
   *
   * @param features [count × inputSize] row-major
   * @param tasks head of each example (ignored by single-head models)
   */
  public float[] predict(float[] features, int[] tasks, int count) {
    int[] labels = new int[count];
    validate(features, labels, tasks, count);
    try (Feeds feeds = new Feeds(features, labels, tasks, count);
        Result result = feeds.feedTo(session.runner()).fetch(training.probabilities()).run()) {
      TFloat32 p = (TFloat32) result.get(0);
      float[] out = new float[count * spec.classesPerHead()];
      p.asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  /**
   * The serving output of a model imported from another SavedModel, for {@code count} examples in
   * the source's input units: the source's output activation of the logits, row-major [count ×
   * classesPerHead].
   *
   * @param inputs [count × inputSize] row-major
   * @throws IllegalStateException if the model was not imported (its graph has no serving path)
   */
  public float[] serve(float[] inputs, int count) {
    checkState(
        training.servingInput() != null, "the model was not imported: it has no serving path");
    checkArgument(
        inputs.length == (long) count * spec.inputSize(),
        "%s examples need %s values, got %s",
        count,
        (long) count * spec.inputSize(),
        inputs.length);
    long[] dims = new long[training.source().getInputShapeCount() + 1];
    dims[0] = count;
    for (int i = 1; i < dims.length; i++) {
      dims[i] = training.source().getInputShape(i - 1);
    }
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(inputs, true, false));
        Result result =
            session
                .runner()
                .feed(training.servingInput(), x)
                .fetch(training.servingOutput())
                .run()) {
      float[] out = new float[count * spec.classesPerHead()];
      ((TFloat32) result.get(0)).asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  /** The number of task boundaries ({@link #consolidate()} calls) so far. */
  public int tasksConsolidated() {
    try (Result result =
        session.runner().fetch(training.variables().get("tasks_consolidated")).run()) {
      return ((TInt32) result.get(0)).getInt();
    }
  }

  /** Fraction of {@code examples} classified correctly, evaluated in batches of {@code batch}. */
  public double evaluate(Examples examples, int batch) {
    checkArgument(examples.size() > 0, "cannot evaluate on an empty set");
    float[] features = new float[batch * spec.inputSize()];
    int[] labels = new int[batch];
    int[] tasks = new int[batch];
    int[] order = new int[examples.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    double correct = 0;
    for (int from = 0; from < order.length; from += batch) {
      int count = Math.min(batch, order.length - from);
      examples.gather(order, from, count, features, labels, tasks);
      validate(features, labels, tasks, count);
      try (Feeds feeds = new Feeds(features, labels, tasks, count);
          Result result = feeds.feedTo(session.runner()).fetch(training.correct()).run()) {
        correct += ((TFloat32) result.get(0)).getFloat();
      }
    }
    return correct / order.length;
  }

  private void validate(float[] features, int[] labels, int[] tasks, int count) {
    checkArgument(count > 0, "a batch needs at least one example, got %s", count);
    checkArgument(
        features.length >= (long) count * spec.inputSize(),
        "batch of %s examples needs %s features (%s per example), got %s",
        count,
        (long) count * spec.inputSize(),
        spec.inputSize(),
        features.length);
    checkArgument(
        labels.length >= count && tasks.length >= count,
        "batch of %s examples needs %s labels and task ids, got %s and %s",
        count,
        count,
        labels.length,
        tasks.length);
    for (int i = 0; i < count; i++) {
      checkArgument(
          labels[i] >= 0 && labels[i] < spec.classesPerHead(),
          "label %s of example %s is outside [0, %s)",
          labels[i],
          i,
          spec.classesPerHead());
      checkArgument(
          !spec.multiHead() || (tasks[i] >= 0 && tasks[i] < spec.heads()),
          "task id %s of example %s is outside [0, %s)",
          tasks[i],
          i,
          spec.heads());
    }
  }

  /** The tensors of one batch, closed together. */
  private final class Feeds implements AutoCloseable {
    private final TFloat32 x;
    private final TInt32 y;
    private final TInt32 task;

    Feeds(float[] features, int[] labels, int[] tasks, int count) {
      x =
          TFloat32.tensorOf(
              Shape.of(count, spec.inputSize()),
              DataBuffers.of(features, true, false).narrow((long) count * spec.inputSize()));
      y = TInt32.tensorOf(Shape.of(count), DataBuffers.of(labels, true, false).narrow(count));
      task =
          spec.multiHead()
              ? TInt32.tensorOf(Shape.of(count), DataBuffers.of(tasks, true, false).narrow(count))
              : null;
    }

    Session.Runner feedTo(Session.Runner runner) {
      runner.feed(training.x(), x).feed(training.y(), y);
      if (task != null) {
        runner.feed(training.task(), task);
      }
      return runner;
    }

    @Override
    public void close() {
      for (Tensor t : new Tensor[] {x, y, task}) {
        if (t != null) {
          t.close();
        }
      }
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
