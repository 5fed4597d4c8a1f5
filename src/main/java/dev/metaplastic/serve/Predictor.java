package dev.metaplastic.serve;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.interop.SavedModelInfo;
import dev.metaplastic.savedmodel.SavedModelValidator;
import dev.metaplastic.savedmodel.SavedModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Signature.TensorDescription;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A thread-safe, reusable predictor over one SavedModel's {@code serving_default} signature.
 *
 * <pre>{@code
 * try (Predictor predictor = Predictor.open(Path.of("path/to/saved-model"))) {
 *   float[][] p = predictor.predict(images, taskIds); // [batch][classes]
 * }
 * }</pre>
 *
 * <p><b>What it reads.</b> The export of a model imported from Keras keeps the Keras interface in
 * {@code serving_default} and our own in {@value SavedModels#PREDICT_KEY}; the predictor then reads
 * that one. The signature's input {@code x} (float32 {@code [-1, inputSize]}) gives {@link
 * #inputSize()}, its output {@code probabilities} (float32 {@code [-1, classes]}) gives {@link
 * #classes()}, and the model is {@linkplain #multiHead() multi-head} iff the signature has an input
 * {@code task} (int32 {@code [-1]}, the head of each example). Tensor names come from the signature
 * ({@code TensorDescription.name}, e.g. {@code "x:0"}) and are resolved to graph outputs once, when
 * the predictor is made.
 *
 * <p><b>Validation.</b> Every argument is checked before TensorFlow sees it: an empty batch, a row
 * whose length is not {@link #inputSize()} (ragged rows included), a task array whose length is not
 * the batch size, a negative task id, and a task id at or above the number of heads when that
 * number is known (see {@link #heads()}) raise an {@link IllegalArgumentException} that names the
 * bad value. NaN and infinite features are passed through: the model decides what they give.
 *
 * <p><b>Speed.</b> Each call makes one input tensor from a flat array ({@code
 * TFloat32.tensorOf(shape, DataBuffers.of(array, true, false))}), runs {@code
 * session.runner().feed(x, tensor).fetch(probabilities).run()} with the pre-resolved outputs, and
 * copies the result into a new {@code float[]}; {@link #predictFlat} avoids the row copies of
 * {@link #predict(float[][], int[])}. A throwaway experiment on this project's 2-core development
 * machine (20,000 interleaved calls per variant, a 4→4→3 and a 784→256→10 graph) found {@code
 * SessionFunction.call(Map)} 15–35 µs slower per call at the median than the runner (99 µs vs 84 µs
 * at batch 1 on the small graph): it builds a map, looks every name up again and keys the result by
 * name. Feeding pre-resolved {@code Output}s instead of {@code "x:0"} strings saved a further 1–3
 * µs. {@link PredictorBenchmark} measures the remaining overhead against a raw runner.
 *
 * <p><b>Threads.</b> All methods may be called from any number of threads at once: TensorFlow's
 * {@code Session.run} is thread-safe, and each call uses its own tensors. {@link #close()} takes
 * the write side of a read–write lock whose read side every prediction holds, so it waits for
 * running predictions and never frees the session under one; predictions that start after {@code
 * close()} throw {@link IllegalStateException}.
 */
public final class Predictor implements AutoCloseable {
  /** The signature the predictor runs. */
  public static final String SIGNATURE_KEY = "serving_default";

  /** The SavedModel tag the predictor loads. */
  public static final String TAG = "serve";

  /** Name of the feature input in {@value #SIGNATURE_KEY}. */
  public static final String X = "x";

  /** Name of the head-index input of multi-head models in {@value #SIGNATURE_KEY}. */
  public static final String TASK = "task";

  /** Name of the output the predictor returns. */
  public static final String PROBABILITIES = "probabilities";

  private final SavedModelBundle bundle;
  private final boolean ownsBundle;
  private final String source;
  private final Session session;
  private final Output<?> x;
  private final Output<?> task;
  private final Output<?> probabilities;
  private final int inputSize;
  private final int classes;
  private final OptionalInt heads;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile boolean closed;

  private Predictor(SavedModelBundle bundle, boolean ownsBundle, String source) {
    this.bundle = bundle;
    this.ownsBundle = ownsBundle;
    this.source = source;
    this.session = bundle.session();
    Signature signature = servingSignature(bundle, source);
    Map<String, TensorDescription> inputs = signature.getInputs();
    Map<String, TensorDescription> outputs = signature.getOutputs();
    InvalidInputException.check(
        inputs.containsKey(X),
        "%s: signature %s has no input '%s' (inputs: %s)",
        source,
        SIGNATURE_KEY,
        X,
        new TreeSet<>(inputs.keySet()));
    InvalidInputException.check(
        outputs.containsKey(PROBABILITIES),
        "%s: signature %s has no output '%s' (outputs: %s)",
        source,
        SIGNATURE_KEY,
        PROBABILITIES,
        new TreeSet<>(outputs.keySet()));
    Set<String> unknown = new TreeSet<>(inputs.keySet());
    unknown.remove(X);
    unknown.remove(TASK);
    InvalidInputException.check(
        unknown.isEmpty(),
        "%s: signature %s has inputs %s besides '%s' and '%s'; the predictor cannot feed them",
        source,
        SIGNATURE_KEY,
        unknown,
        X,
        TASK);
    TensorDescription xDescription = inputs.get(X);
    this.inputSize = featureDimension(xDescription, X, source);
    this.classes = featureDimension(outputs.get(PROBABILITIES), PROBABILITIES, source);
    this.x = resolve(bundle, xDescription, X, DataType.DT_FLOAT, source);
    this.probabilities =
        resolve(bundle, outputs.get(PROBABILITIES), PROBABILITIES, DataType.DT_FLOAT, source);
    if (inputs.containsKey(TASK)) {
      TensorDescription taskDescription = inputs.get(TASK);
      InvalidInputException.check(
          taskDescription.shape.numDimensions() == 1,
          "%s: input '%s' of %s has shape %s, expected [-1]",
          source,
          TASK,
          SIGNATURE_KEY,
          taskDescription.shape);
      this.task = resolve(bundle, taskDescription, TASK, DataType.DT_INT32, source);
      this.heads = headsOf(task);
    } else {
      this.task = null;
      this.heads = OptionalInt.empty();
    }
  }

  /**
   * Loads the SavedModel in {@code savedModelDir} with tag {@value #TAG} and makes a predictor that
   * owns it: {@link #close()} closes the model.
   *
   * @param savedModelDir a SavedModel directory (holding {@code saved_model.pb})
   * @return an open predictor
   * @throws IllegalArgumentException if the directory does not exist, is not a SavedModel, cannot
   *     be loaded with tag {@value #TAG}, or has no usable {@value #SIGNATURE_KEY} signature; the
   *     message names the directory and what is wrong
   */
  public static Predictor open(Path savedModelDir) {
    SavedModelBundle bundle = load(savedModelDir);
    try {
      return new Predictor(bundle, true, savedModelDir.toString());
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /**
   * Loads a SavedModel with tag {@value #TAG}, turning a missing directory, a directory without
   * {@code saved_model.pb} and a TensorFlow load failure into {@link IllegalArgumentException}s
   * that name the directory. The caller owns the result.
   */
  static SavedModelBundle load(Path savedModelDir) {
    checkNotNull(savedModelDir, "savedModelDir is null");
    SavedModelValidator.check(savedModelDir);
    return SavedModelInfo.loadBundle(savedModelDir);
  }

  /**
   * Makes a predictor over an already loaded model without taking ownership: {@link #close()} then
   * only stops this predictor, and the caller closes {@code bundle} after it.
   *
   * @param bundle a loaded SavedModel, open for the predictor's whole life
   * @param source how messages name the model, e.g. its directory
   */
  static Predictor wrap(SavedModelBundle bundle, String source) {
    checkNotNull(bundle, "bundle is null");
    checkNotNull(source, "source is null");
    return new Predictor(bundle, false, source);
  }

  /** Number of features of one example: the second dimension of input {@code x}. */
  public int inputSize() {
    return inputSize;
  }

  /** Number of classes: the second dimension of output {@code probabilities}. */
  public int classes() {
    return classes;
  }

  /** Whether the model takes a head index per example (its signature has a {@code task} input). */
  public boolean multiHead() {
    return task != null;
  }

  /**
   * Number of heads of a multi-head model, when the graph shows it; empty otherwise (and always for
   * single-head models).
   *
   * <p>It is known when the {@code task} placeholder is one-hot encoded with a constant depth, as
   * {@code dev.metaplastic.graphs.Mlp} does; then a task id at or above it is refused before
   * TensorFlow runs (such a graph would silently give every class the same probability). When it is
   * not known, only negative ids are refused and what a too-large id does is up to the graph (a
   * gather fails with a TensorFlow error; a one-hot mask selects no head).
   */
  public OptionalInt heads() {
    return heads;
  }

  /**
   * Probabilities of a batch for a single-head model.
   *
   * @param x the batch, one row of {@link #inputSize()} features per example
   * @return probabilities, {@code [x.length][classes()]}
   * @throws IllegalArgumentException if the model is multi-head (it needs task ids), the batch is
   *     empty, or a row does not have {@link #inputSize()} features
   * @throws IllegalStateException if the predictor is closed
   */
  public float[][] predict(float[][] x) {
    checkArgument(
        !multiHead(),
        "the model in %s is multi-head: call predict(x, task) with the head of each example",
        source);
    return predict(x, null);
  }

  /**
   * Probabilities of a batch, each example through the head {@code task[i]}.
   *
   * @param x the batch, one row of {@link #inputSize()} features per example
   * @param task the head of each example, {@code x.length} ids; must be null for a single-head
   *     model
   * @return probabilities, {@code [x.length][classes()]}
   * @throws IllegalArgumentException if the batch is empty, a row does not have {@link
   *     #inputSize()} features, task ids are missing for a multi-head model or given to a
   *     single-head model, their number is not the batch size, or one is out of range
   * @throws IllegalStateException if the predictor is closed
   */
  public float[][] predict(float[][] x, int[] task) {
    checkNotNull(x, "x is null");
    checkArgument(x.length > 0, "empty batch: x has no rows");
    float[] flat = new float[Math.multiplyExact(x.length, inputSize)];
    for (int i = 0; i < x.length; i++) {
      // Plain ifs rather than checkArgument: no boxing of the row index on the hot path.
      if (x[i] == null) {
        throw new IllegalArgumentException("row " + i + " is null");
      }
      if (x[i].length != inputSize) {
        throw new IllegalArgumentException(
            "row " + i + " has " + x[i].length + " features, expected " + inputSize);
      }
      System.arraycopy(x[i], 0, flat, i * inputSize, inputSize);
    }
    float[] p = predictFlat(flat, x.length, task);
    float[][] rows = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      rows[i] = new float[classes];
      System.arraycopy(p, i * classes, rows[i], 0, classes);
    }
    return rows;
  }

  /**
   * The fast path: probabilities of a batch given as one row-major array.
   *
   * @param x {@code count × inputSize()} features, example after example
   * @param count number of examples, at least 1
   * @param task the head of each example ({@code count} ids) for a multi-head model; null for a
   *     single-head model
   * @return probabilities, row-major {@code count × classes()}
   * @throws IllegalArgumentException if {@code count} is not positive, {@code x.length} is not
   *     {@code count × inputSize()}, task ids are missing for a multi-head model or given to a
   *     single-head model, their number is not {@code count}, or one is out of range
   * @throws IllegalStateException if the predictor is closed
   */
  public float[] predictFlat(float[] x, int count, int[] task) {
    checkNotNull(x, "x is null");
    checkArgument(count > 0, "empty batch: count must be positive, got %s", count);
    if ((long) count * inputSize != x.length) {
      throw new IllegalArgumentException(
          String.format(
              "x has %d values, expected count × inputSize = %d × %d = %d",
              x.length, count, inputSize, (long) count * inputSize));
    }
    checkTasks(task, count);
    ReentrantReadWriteLock.ReadLock running = lock.readLock();
    running.lock();
    try {
      checkOpen();
      return run(x, count, task);
    } finally {
      running.unlock();
    }
  }

  private float[] run(float[] features, int count, int[] taskIds) {
    float[] out = new float[Math.multiplyExact(count, classes)];
    try (TFloat32 xTensor =
            TFloat32.tensorOf(Shape.of(count, inputSize), DataBuffers.of(features, true, false));
        TInt32 taskTensor =
            taskIds == null
                ? null
                : TInt32.tensorOf(Shape.of(count), DataBuffers.of(taskIds, true, false))) {
      Session.Runner runner = session.runner().feed(x, xTensor);
      if (taskTensor != null) {
        runner.feed(task, taskTensor);
      }
      try (Result result = runner.fetch(probabilities).run()) {
        Tensor p = result.get(0);
        if (!(p instanceof TFloat32) || !p.shape().equals(Shape.of(count, classes))) {
          throw new IllegalStateException(
              String.format(
                  "%s: %s returned %s %s, expected float32 [%d, %d]",
                  source, PROBABILITIES, p.dataType(), p.shape(), count, classes));
        }
        ((TFloat32) p).copyTo(DataBuffers.of(out, false, false));
      }
    }
    return out;
  }

  private void checkTasks(int[] taskIds, int count) {
    if (!multiHead()) {
      checkArgument(
          taskIds == null,
          "the model in %s is single-head: it takes no task ids (got %s)",
          source,
          taskIds == null ? 0 : taskIds.length);
      return;
    }
    checkArgument(
        taskIds != null,
        "the model in %s is multi-head: task ids are needed, one per example",
        source);
    checkArgument(
        taskIds.length == count,
        "task has %s ids for a batch of %s examples",
        taskIds.length,
        count);
    for (int i = 0; i < taskIds.length; i++) {
      int id = taskIds[i];
      if (id < 0 || (heads.isPresent() && id >= heads.getAsInt())) {
        throw new IllegalArgumentException(
            heads.isPresent()
                ? String.format(
                    "task[%d] = %d is out of range: the model has %d heads (0..%d)",
                    i, id, heads.getAsInt(), heads.getAsInt() - 1)
                : String.format("task[%d] = %d is negative", i, id));
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the predictor for " + source + " is closed");
    }
  }

  /**
   * Closes the predictor, and the model if {@link #open} loaded it. Waits for running predictions
   * to finish; later ones throw {@link IllegalStateException}. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    ReentrantReadWriteLock.WriteLock exclusive = lock.writeLock();
    exclusive.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (ownsBundle) {
        bundle.close();
      }
    } finally {
      exclusive.unlock();
    }
  }

  /** Describes the model: source, input size, classes and heads. */
  @Override
  public String toString() {
    return String.format(
        "Predictor[%s: %d features → %d classes, %s%s]",
        source,
        inputSize,
        classes,
        multiHead()
            ? "multi-head" + (heads.isPresent() ? " (" + heads.getAsInt() + " heads)" : "")
            : "single-head",
        closed ? ", closed" : "");
  }

  /**
   * {@value #SIGNATURE_KEY}, or {@value SavedModels#PREDICT_KEY} when {@value #SIGNATURE_KEY} has
   * no input {@value #X} (the export of a model imported from Keras keeps the Keras interface
   * there).
   */
  private static Signature servingSignature(SavedModelBundle bundle, String source) {
    List<String> keys = new ArrayList<>();
    Signature serving = null;
    Signature predict = null;
    for (Signature signature : bundle.signatures()) {
      if (signature.key().equals(SIGNATURE_KEY)) {
        serving = signature;
      } else if (signature.key().equals(SavedModels.PREDICT_KEY)) {
        predict = signature;
      }
      keys.add(signature.key());
    }
    if (serving != null) {
      return predict != null && !serving.getInputs().containsKey(X) ? predict : serving;
    }
    throw new InvalidInputException(
        String.format(
            "%s has no %s signature (signatures: %s)", source, SIGNATURE_KEY, new TreeSet<>(keys)));
  }

  private static int featureDimension(TensorDescription description, String name, String source) {
    Shape shape = description.shape;
    InvalidInputException.check(
        !shape.isUnknown() && shape.numDimensions() == 2 && shape.get(1) > 0,
        "%s: '%s' of %s has shape %s, expected [-1, n] with a known n",
        source,
        name,
        SIGNATURE_KEY,
        shape);
    return Math.toIntExact(shape.get(1));
  }

  private static Output<?> resolve(
      SavedModelBundle bundle,
      TensorDescription description,
      String name,
      DataType type,
      String source) {
    InvalidInputException.check(
        description.dataType == type,
        "%s: '%s' of %s is %s, expected %s",
        source,
        name,
        SIGNATURE_KEY,
        description.dataType,
        type);
    Output<?> output = bundle.graph().output(description.name);
    InvalidInputException.check(
        output != null,
        "%s: '%s' of %s names tensor %s, which the graph does not have",
        source,
        name,
        SIGNATURE_KEY,
        description.name);
    return output;
  }

  /**
   * The depth of the one-hot encodings of {@code task}, if every one-hot op reading it directly or
   * through identities (such as the graph's checked copy of the task ids) has the same constant
   * depth.
   */
  private static OptionalInt headsOf(Output<?> task) {
    Operation op = task.op();
    if (!(op instanceof GraphOperation)) {
      return OptionalInt.empty();
    }
    OptionalInt depth = OptionalInt.empty();
    for (GraphOperation consumer : ((GraphOperation) op).consumers(task.index())) {
      OptionalInt d;
      if (consumer.type().equals("Identity")) {
        d = headsOf(consumer.output(0));
        if (d.isEmpty()) {
          continue;
        }
      } else if (consumer.type().equals("OneHot") && consumer.input(0).equals(task)) {
        d = constantDepth(consumer);
      } else {
        continue;
      }
      if (d.isEmpty() || (depth.isPresent() && depth.getAsInt() != d.getAsInt())) {
        return OptionalInt.empty();
      }
      depth = d;
    }
    return depth;
  }

  /** The depth of a one-hot op when it is a positive int32 constant. */
  private static OptionalInt constantDepth(GraphOperation oneHot) {
    Operation depthOp = oneHot.input(1).op();
    if (!depthOp.type().equals("Const") || !(depthOp instanceof GraphOperation)) {
      return OptionalInt.empty();
    }
    // The attribute comes back as a RawTensor: read its one int32 from the raw bytes.
    try (Tensor value = ((GraphOperation) depthOp).attributes().getAttrTensor("value")) {
      if (value.dataType() != DataType.DT_INT32 || value.shape().numDimensions() != 0) {
        return OptionalInt.empty();
      }
      int d = value.asRawTensor().data().asInts().getInt(0);
      return d > 0 ? OptionalInt.of(d) : OptionalInt.empty();
    }
  }
}
