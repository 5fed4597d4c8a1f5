package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.primitives.Doubles;
import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.Examples;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.files.OutputLock;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.graphs.proto.AccuracyRow;
import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.TrainingRun;
import dev.metaplastic.internal.CheckpointFiles;
import dev.metaplastic.internal.DataStreams;
import dev.metaplastic.internal.ModelSources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains one model on a stream of tasks, one after the other: {@code epochs} passes of shuffled
 * minibatches per task, {@code consolidate} at each task boundary, and a test of every task seen so
 * far after each task.
 *
 * <pre>{@code
 * ContinualTrainer trainer = new ContinualTrainer(config, TrainingListener.NONE);
 * AccuracyMatrix r = trainer.run(stream); // a new model, every task in order
 * try (ModelSession model = trainer.open(stream)) { // or task by task, keeping the model
 *   trainer.trainTask(model, stream, 0); // trains task 0, then consolidates
 * }
 * }</pre>
 *
 * <p>The minibatch order of each epoch is drawn from (seed, task, epoch) alone, so a run can stop
 * anywhere and resume from a checkpoint with exactly the batches, and therefore the weights, of a
 * run that never stopped. With checkpoints enabled, the trainer saves every {@code every} steps and
 * at each task boundary.
 *
 * <p>Also trains the joint-training upper bound: one model on all tasks' data at once.
 */
public final class ContinualTrainer {
  private static final int EVAL_BATCH = 1000;

  private final TrainerConfig config;
  private final TrainingListener listener;
  private final Checkpoints checkpoints;
  private final int every;
  private final SessionOptions sessionOptions;

  /**
   * A trainer with {@code config} that reports to {@code listener}, without checkpoints, whose
   * models run with TensorFlow's default threads.
   */
  public ContinualTrainer(TrainerConfig config, TrainingListener listener) {
    this(config, listener, null, 0, SessionOptions.DEFAULT);
  }

  private ContinualTrainer(
      TrainerConfig config,
      TrainingListener listener,
      Checkpoints checkpoints,
      int every,
      SessionOptions sessionOptions) {
    this.config = config;
    this.listener = listener;
    this.checkpoints = checkpoints;
    this.every = every;
    this.sessionOptions = sessionOptions;
  }

  /**
   * The same trainer, saving a checkpoint in {@code store} every {@code everySteps} optimizer steps
   * (0: only at task boundaries) and at each task boundary.
   */
  public ContinualTrainer withCheckpoints(Checkpoints store, int everySteps) {
    InvalidInputException.check(
        everySteps >= 0, "checkpoint interval must be >= 0 steps, got %s", everySteps);
    return new ContinualTrainer(config, listener, store, everySteps, sessionOptions);
  }

  /** The same trainer, opening its models' sessions with {@code options} (threads). */
  public ContinualTrainer withSessionOptions(SessionOptions options) {
    return new ContinualTrainer(config, listener, checkpoints, every, options);
  }

  /** Trains a new model on every task of {@code stream} in order; returns the accuracy matrix. */
  public AccuracyMatrix run(TaskStream stream) {
    return run(stream, StreamDescription.of(stream));
  }

  /**
   * Trains a new model on every task of {@code stream}; {@code descriptor} is how checkpoints
   * record the stream, so that a resumed run can open it again.
   */
  public AccuracyMatrix run(TaskStream stream, StreamDescription descriptor) {
    try (ModelSession model = open(stream)) {
      return run(model, stream, descriptor);
    }
  }

  /**
   * Trains an existing model, such as one loaded from a SavedModel or imported from Keras, on every
   * task of {@code stream}; the model must fit the stream and this trainer's optimizer and rules
   * must be the model's.
   */
  public AccuracyMatrix run(ModelSession model, TaskStream stream, StreamDescription descriptor) {
    return run(model, stream, descriptor, new double[0][]);
  }

  /**
   * Trains {@code model}, which has already learned the first {@code learned.length} tasks of
   * {@code stream} elsewhere and been consolidated on them (such as a Keras model imported and
   * passed through {@link #consolidateLearned}), on the remaining tasks. Row i of the returned
   * matrix is {@code learned[i]} (the accuracies measured after task i, i + 1 of them) for the
   * learned tasks, and measured here for the others.
   */
  public AccuracyMatrix run(
      ModelSession model, TaskStream stream, StreamDescription descriptor, double[][] learned) {
    checkArgument(
        learned.length < stream.tasks().size(),
        "%s of the stream's %s tasks are learned already: nothing is left to train",
        learned.length,
        stream.tasks().size());
    MlpSpec needed = config.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead());
    MlpSpec spec = model.spec();
    InvalidInputException.check(
        spec.inputSize() == needed.inputSize()
            && spec.heads() == needed.heads()
            && spec.classesPerHead() == needed.classesPerHead(),
        "model %s does not fit stream %s, which needs %s inputs and %s head(s) of %s classes",
        spec.describe(),
        stream.name(),
        needed.inputSize(),
        needed.heads(),
        needed.classesPerHead());
    Manifest manifest =
        Manifests.describe(
            model.graph(), model.tasksConsolidated(), DataStreams.toProto(descriptor));
    TrainingRun start =
        TrainingRun.newBuilder()
            .setManifest(manifest)
            .setEpochs(config.epochs())
            .setBatchSize(config.batchSize())
            .setSeed(config.seed())
            .setTask(learned.length)
            .build();
    TrainingRun.Builder run = start.toBuilder();
    for (double[] row : learned) {
      run.addAccuracy(AccuracyRow.newBuilder().addAllAccuracy(Doubles.asList(row)));
    }
    return continueRun(model, stream, run.build());
  }

  /**
   * Resumes the run saved in {@code checkpoint} (see {@link Checkpoints#resolve}) on {@code
   * stream}, which must be the stream the run was started on: the same number of tasks, and, when
   * the checkpoint records the data's fingerprint, the same data ({@link
   * TaskStream#fingerprint()}), wherever it now lives; the checkpoints written from here on record
   * where.
   *
   * @throws dev.metaplastic.InvalidInputException if the stream is not the run's, or the
   *     checkpoint's position lies outside it
   */
  public static AccuracyMatrix resume(
      Path checkpoint, TaskStream stream, TrainingListener listener, int everySteps) {
    return resume(checkpoint, stream, listener, everySteps, SessionOptions.DEFAULT);
  }

  /**
   * As {@link #resume(Path, TaskStream, TrainingListener, int)}, in a session with {@code options}.
   */
  public static AccuracyMatrix resume(
      Path checkpoint,
      TaskStream stream,
      TrainingListener listener,
      int everySteps,
      SessionOptions options) {
    TrainingRun run = Checkpoints.readRun(checkpoint);
    Manifest manifest = run.getManifest();
    TrainerConfig config = configOf(run);
    InvalidInputException.check(
        stream.tasks().size() == manifest.getDataStream().getTasks(),
        "the checkpoint was trained on %s tasks, the stream has %s",
        manifest.getDataStream().getTasks(),
        stream.tasks().size());
    run = onSameData(run, stream, checkpoint);
    InvalidInputException.check(
        run.getTask() == stream.tasks().size()
            || run.getOffset() < stream.tasks().get(run.getTask()).train().size(),
        "%s is damaged: it stands at offset %s of task %s, which has %s training examples",
        checkpoint,
        run.getOffset(),
        run.getTask(),
        run.getTask() < stream.tasks().size()
            ? stream.tasks().get(run.getTask()).train().size()
            : 0);
    ContinualTrainer trainer =
        new ContinualTrainer(config, listener)
            .withCheckpoints(new Checkpoints(checkpoint.getParent()), everySteps)
            .withSessionOptions(options);
    try (ModelSession model = trainer.open(stream, ModelSources.of(Manifests.source(manifest)))) {
      Manifests.checkMatches(manifest, model.graph());
      Checkpoints.restore(model, checkpoint);
      return trainer.continueRun(model, stream, run);
    }
  }

  /**
   * Refuses a stream whose data is not the data a checkpointed run was trained on, when the run
   * records its fingerprint; returns the run with the data's current directory recorded.
   */
  private static TrainingRun onSameData(TrainingRun run, TaskStream stream, Path checkpoint) {
    DataStream recorded = run.getManifest().getDataStream();
    if (recorded.getSha256().isEmpty()) {
      return run;
    }
    InvalidInputException.check(
        recorded.getSha256().equals(stream.fingerprint()),
        "the data in %s is not the data checkpoint %s was trained on (fingerprint %s, not %s from"
            + " %s); resume on that data",
        stream.source(),
        checkpoint,
        shortened(stream.fingerprint()),
        shortened(recorded.getSha256()),
        recorded.getDirectory());
    DataStream moved =
        recorded.toBuilder()
            .setSource(stream.source())
            .setDirectory(Path.of(stream.source()).toAbsolutePath().normalize().toString())
            .build();
    TrainingRun.Builder updated = run.toBuilder();
    updated.getManifestBuilder().setDataStream(moved);
    return updated.build();
  }

  private static String shortened(String fingerprint) {
    return fingerprint.isEmpty()
        ? "none"
        : fingerprint.substring(0, Math.min(12, fingerprint.length())) + "…";
  }

  /** The trainer configuration a checkpointed run was started with. */
  static TrainerConfig configOf(TrainingRun run) {
    Manifest manifest = run.getManifest();
    return new TrainerConfig(
        manifest.getModel().getHiddenList(),
        run.getEpochs(),
        run.getBatchSize(),
        Manifests.optimizer(manifest),
        Manifests.rules(manifest),
        run.getSeed(),
        Manifests.spec(manifest).binarized());
  }

  /**
   * Trains {@code model} on task {@code index} of {@code stream} for the configured epochs, then
   * consolidates. The batches depend only on the seed and the task index, so a model exported after
   * task i−1 and reloaded continues exactly as a run that never stopped.
   */
  public void trainTask(ModelSession model, TaskStream stream, int index) {
    Task task = stream.tasks().get(index);
    TrainingRun.Builder position = TrainingRun.newBuilder().setTask(index);
    trainFrom(model, task, position, steps(task));
    model.estimateImportance(task.train(), estimationSeed(index));
    model.consolidate();
  }

  /**
   * Estimates importance on {@code samples} examples of task {@code index}'s training set (all of
   * them if there are fewer; each rule's own {@code samples} hyperparameter does not apply) and
   * consolidates, as at the end of training that task, but without training it: for a model that
   * learned the task elsewhere, such as one imported from Keras. The examples drawn depend on the
   * seed and the task index alone, as at every task boundary.
   */
  public void consolidateLearned(ModelSession model, TaskStream stream, int index, int samples) {
    model.estimateImportance(stream.tasks().get(index).train(), samples, estimationSeed(index));
    model.consolidate();
  }

  /** Optimizer steps that training {@code task} takes: epochs × batches per epoch. */
  public long steps(Task task) {
    return (long) config.epochs() * stepsPerEpoch(task.train().size());
  }

  /**
   * Joint training, the upper bound: one model trained on the union of all tasks' training sets for
   * the same number of epochs (so as many optimizer steps as the sequential run). Returns the test
   * accuracy on each task.
   */
  public double[] trainJointly(TaskStream stream) {
    try (ModelSession model = open(stream)) {
      return trainJointly(model, stream, (long) config.epochs() * stepsPerEpoch(jointSize(stream)));
    }
  }

  /**
   * Joint training of an existing model, such as one imported from Keras: {@code steps} optimizer
   * steps on shuffled minibatches of the union of all tasks' training sets, epoch after epoch, the
   * last one possibly cut short. Returns the test accuracy on each task.
   */
  public double[] trainJointly(ModelSession model, TaskStream stream, long steps) {
    checkArgument(steps > 0, "joint training needs at least 1 step, got %s", steps);
    List<Task> tasks = stream.tasks();
    List<Examples> all = new ArrayList<>();
    tasks.forEach(t -> all.add(t.train()));
    Task joint = new Task(0, "all tasks jointly", Examples.concat(all), tasks.get(0).test());
    trainFrom(model, joint, TrainingRun.newBuilder(), steps);
    double[] accuracies = new double[tasks.size()];
    for (int j = 0; j < tasks.size(); j++) {
      accuracies[j] = model.evaluate(tasks.get(j).test(), EVAL_BATCH);
    }
    listener.taskFinished(joint, 0, accuracies.clone());
    return accuracies;
  }

  private static int jointSize(TaskStream stream) {
    return stream.tasks().stream().mapToInt(t -> t.train().size()).sum();
  }

  private int stepsPerEpoch(int examples) {
    return (examples + config.batchSize() - 1) / config.batchSize();
  }

  /** Opens a new model sized for {@code stream}. */
  public ModelSession open(TaskStream stream) {
    return open(stream, null);
  }

  /**
   * Opens a new model sized for {@code stream} that keeps the serving interface of the imported
   * model {@code source} came from ({@code null} for a model made here), as a run resumed from a
   * checkpoint of an imported model needs.
   */
  private ModelSession open(TaskStream stream, ModelSource source) {
    MlpSpec spec = config.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead());
    SizeLimits.checkBatch(config.batchSize(), spec);
    return new ModelSession(spec, config.optimizer(), config.rules(), source, sessionOptions);
  }

  /**
   * Trains from the position in {@code start} to the end of the stream; with checkpoints, holds the
   * checkpoint directory's {@link OutputLock} meanwhile, so a second run cannot write there.
   */
  @SuppressWarnings("try") // the lock is held, not used, in the block
  private AccuracyMatrix continueRun(ModelSession model, TaskStream stream, TrainingRun start) {
    try (OutputLock lock =
        checkpoints == null
            ? null
            : OutputLock.acquire(checkpoints.root(), "checkpoint directory")) {
      return trainToEnd(model, stream, start);
    }
  }

  private AccuracyMatrix trainToEnd(ModelSession model, TaskStream stream, TrainingRun start) {
    List<Task> tasks = stream.tasks();
    TrainingRun.Builder run = start.toBuilder();
    for (int i = run.getTask(); i < tasks.size(); i++) {
      Task task = tasks.get(i);
      run.setTask(i);
      trainFrom(model, task, run, steps(task));
      model.estimateImportance(task.train(), estimationSeed(i));
      int consolidated = model.consolidate();
      double[] row = new double[i + 1];
      for (int j = 0; j <= i; j++) {
        row[j] = model.evaluate(tasks.get(j).test(), EVAL_BATCH);
      }
      run.addAccuracy(AccuracyRow.newBuilder().addAllAccuracy(Doubles.asList(row)));
      run.setTask(i + 1).setEpoch(0).setOffset(0);
      run.setManifest(run.getManifest().toBuilder().setTasksConsolidated(consolidated));
      if (checkpoints != null) {
        CheckpointFiles.save(checkpoints.root(), model, run.build());
      }
      listener.taskFinished(task, i, row);
    }
    double[][] rows = new double[tasks.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = Doubles.toArray(run.getAccuracy(i).getAccuracyList());
    }
    List<String> names = new ArrayList<>();
    tasks.forEach(t -> names.add(t.name()));
    return new AccuracyMatrix(names, rows);
  }

  /**
   * Trains on {@code task}'s training set from the position in {@code run} (epoch, offset within
   * the epoch) until {@code total} steps of the task are done (epochs × batches per epoch for a
   * whole task), advancing the position; saves checkpoints on the way if enabled.
   */
  private void trainFrom(ModelSession model, Task task, TrainingRun.Builder run, long total) {
    Examples data = task.train();
    int batch = config.batchSize();
    SizeLimits.checkBatch(batch, model.spec());
    int stepsPerEpoch = stepsPerEpoch(data.size());
    listener.taskStarted(task, run.getTask(), total);
    float[] features = new float[batch * data.featureSize()];
    int[] labels = new int[batch];
    int[] tasks = new int[batch];
    int[] order = new int[data.size()];
    long step = (long) run.getEpoch() * stepsPerEpoch + run.getOffset() / batch;
    for (int epoch = run.getEpoch(); step < total; epoch++) {
      shuffle(order, epochRandom(run.getTask(), epoch));
      for (int from = epoch == run.getEpoch() ? run.getOffset() : 0;
          from < order.length && step < total;
          from += batch) {
        int count = Math.min(batch, order.length - from);
        data.gather(order, from, count, features, labels, tasks);
        ModelSession.StepResult result = model.trainStep(features, labels, tasks, count);
        if (!Float.isFinite(result.loss()) || !Float.isFinite(result.penalty())) {
          throw new TrainingDivergedException(
              String.format(
                  "training diverged on task %d (%s), epoch %d, step %d: loss %s, penalty %s;"
                      + " lower the learning rate (%s) or the rule strength",
                  run.getTask(),
                  task.name(),
                  epoch + 1,
                  step + 1,
                  result.loss(),
                  result.penalty(),
                  config.optimizer().hyperparameters().get("learning_rate")));
        }
        step++;
        run.setSteps(run.getSteps() + 1).setEpoch(epoch).setOffset(from + count);
        if (from + count >= order.length) {
          run.setEpoch(epoch + 1).setOffset(0);
        }
        listener.stepFinished(task, step, result);
        if (checkpoints != null && every > 0 && run.getSteps() % every == 0) {
          CheckpointFiles.save(checkpoints.root(), model, run.build());
        }
      }
    }
  }

  /** The seed of the importance estimate at the end of {@code task}: a function of (seed, task). */
  private long estimationSeed(int task) {
    return epochRandom(task, -1).nextLong();
  }

  /** The random source of one epoch's minibatch order: a function of (seed, task, epoch) only. */
  private SplittableRandom epochRandom(int task, int epoch) {
    long golden = 0x9E3779B97F4A7C15L;
    return new SplittableRandom((config.seed() * golden + task) * golden + epoch);
  }

  /** Fisher–Yates shuffle of the identity permutation. */
  private static void shuffle(int[] order, SplittableRandom random) {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }
}
