package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.Examples;
import dev.metaplastic.graphs.BatchEstimates;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.graphs.TrainingGraph;
import dev.metaplastic.internal.ModelSources;
import dev.metaplastic.ops.ConsolidationFromData;
import dev.metaplastic.ops.RuleConfig;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
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
  private final GraphSession<TrainingGraph> owner;
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
      MlpSpec spec,
      OptimizerConfig optimizer,
      List<? extends RuleConfig> rules,
      ModelSource source) {
    this(spec, optimizer, rules, source, SessionOptions.DEFAULT);
  }

  /**
   * As {@link #ModelSession(MlpSpec, OptimizerConfig, List, ModelSource)}, with the session's
   * threads set by {@code options}.
   */
  public ModelSession(
      MlpSpec spec,
      OptimizerConfig optimizer,
      List<? extends RuleConfig> rules,
      ModelSource source,
      SessionOptions options) {
    SizeLimits.checkModel(spec);
    this.spec = spec;
    // What the graph refuses (such as two rules that both transform the optimizer's steps) is a
    // choice of the user's: of options, or of the manifest a model was saved with.
    this.owner =
        new GraphSession<>(
            "the model session",
            g ->
                InvalidInputException.validating(
                    "",
                    () ->
                        new TrainingGraph(g, spec, optimizer, rules, ModelSources.toProto(source))),
            options.configProto());
    this.training = owner.built();
  }

  /** The training graph, to reach its handles and variables. */
  public TrainingGraph graph() {
    return training;
  }

  /** The running session. */
  public Session session() {
    return owner.session();
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
    return owner.read(variable, training.variables());
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
    try (TFloat32 t = GraphSession.tensor(values, shape)) {
      GraphSession.run(owner.runner().feed(loader.value(), t).addTarget(loader.assign()));
    }
  }

  /**
   * Restarts every rule's bookkeeping of the current task from the current weights, keeping what
   * past tasks consolidated; call it after overwriting weights with {@link #write}.
   */
  public void rebase() {
    GraphSession.run(owner.runner().addTarget(training.rebase()));
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
    try (Feeds feeds = new Feeds(features, labels, tasks, count)) {
      float[][] values =
          GraphSession.fetch(
              feeds.feedTo(owner.runner()), List.of(training.loss(), training.stepPenalty()));
      return new StepResult(values[0][0], values[1][0]);
    }
  }

  /**
   * Lets every rule that estimates importance from data (a {@link ConsolidationFromData}) see its
   * number of examples of {@code examples}, each with weight 1/n; call it before {@link
   * #consolidate()} at a task boundary. The examples are drawn without replacement (all of them if
   * there are fewer) by a generator seeded with {@code seed}, and each example's seed for sampling
   * rules is (seed, index), so the estimate is a function of the weights, the data and the seed
   * alone. They go {@link BatchEstimates#ROWS} at a time where the model's layers allow it (a plain
   * MLP's do), otherwise one at a time, with the same estimate up to float rounding.
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
   * Runs every estimator on {@code samples} examples, or on its own number if that is 0, example i
   * with seed (seed, i) and weight 1/n: in batches through the rule's closed-form {@code
   * estimate/<rule>_batch} entry where the model has one, otherwise in one evaluation of its {@code
   * estimate/<rule>} entry, which takes them one at a time in order.
   */
  private void estimate(Examples examples, int samples, long seed) {
    checkArgument(examples.size() > 0, "cannot estimate importance on an empty set");
    for (var rule : training.rules()) {
      if (!(rule instanceof ConsolidationFromData fromData)) {
        continue;
      }
      int n = Math.min(samples > 0 ? samples : fromData.estimator().samples(), examples.size());
      int[] order = sampleWithoutReplacement(examples.size(), n, new SplittableRandom(seed));
      Op batch = training.batchEstimates().entries().get(rule.config().name());
      if (batch != null) {
        estimateInBatches(examples, order, n, seed, batch);
      } else {
        estimateInOneRun(examples, order, n, seed, training.estimates().get(rule.config().name()));
      }
    }
  }

  /**
   * Feeds the first {@code n} examples of {@code order} in batches of {@link BatchEstimates#ROWS}
   * rows, example i with seed (seed, i) and weight 1/n; the rows that fill the last batch weigh 0.
   */
  private void estimateInBatches(Examples examples, int[] order, int n, long seed, Op entry) {
    int rows = BatchEstimates.ROWS;
    float[] features = new float[rows * spec.inputSize()];
    int[] labels = new int[rows];
    int[] tasks = new int[rows];
    long[] seeds = new long[2 * rows];
    float[] weights = new float[rows];
    BatchEstimates batches = training.batchEstimates();
    for (int from = 0; from < n; from += rows) {
      int count = Math.min(rows, n - from);
      examples.gather(order, from, count, features, labels, tasks);
      for (int r = 0; r < rows; r++) {
        seeds[2 * r] = seed;
        seeds[2 * r + 1] = from + r;
        weights[r] = r < count ? 1f / n : 0f;
      }
      try (Feeds feeds = new Feeds(features, labels, tasks, rows);
          TInt64 seedRows = TInt64.tensorOf(Shape.of(rows, 2), DataBuffers.of(seeds, true, false));
          TFloat32 weightRows = GraphSession.tensor(weights, Shape.of(rows))) {
        GraphSession.run(
            feeds
                .feedTo(owner.runner())
                .feed(batches.seeds(), seedRows)
                .feed(batches.weights(), weightRows)
                .addTarget(entry));
      }
    }
  }

  /**
   * Feeds the first {@code n} examples of {@code order} to a rule's {@code estimate/<rule>} entry,
   * which takes them one at a time in one evaluation.
   */
  private void estimateInOneRun(
      Examples examples, int[] order, int n, long seed, Operand<TInt32> entry) {
    float[] features = new float[n * spec.inputSize()];
    int[] labels = new int[n];
    int[] tasks = new int[n];
    examples.gather(order, 0, n, features, labels, tasks);
    try (Feeds feeds = new Feeds(features, labels, tasks, n);
        TInt64 batchSeed = TInt64.scalarOf(seed)) {
      GraphSession.run(
          feeds.feedTo(owner.runner()).feed(training.estimateSeed(), batchSeed).addTarget(entry));
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
    return owner.fetchInt(training.tasksConsolidated());
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
    try (Feeds feeds = new Feeds(features, labels, tasks, count)) {
      return GraphSession.fetch(feeds.feedTo(owner.runner()), training.probabilities());
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
    try (TFloat32 x = GraphSession.tensor(inputs, Shape.of(dims))) {
      return GraphSession.fetch(
          owner.runner().feed(training.servingInput(), x), training.servingOutput());
    }
  }

  /** The number of task boundaries ({@link #consolidate()} calls) so far. */
  public int tasksConsolidated() {
    return owner.fetchInt(training.variables().get("tasks_consolidated"));
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
      try (Feeds feeds = new Feeds(features, labels, tasks, count)) {
        correct += GraphSession.fetch(feeds.feedTo(owner.runner()), training.correct())[0];
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
      x = GraphSession.tensor(features, Shape.of(count, spec.inputSize()));
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

  /** Closes the session, then the graph; later calls do nothing. */
  @Override
  public void close() {
    owner.close();
  }
}
