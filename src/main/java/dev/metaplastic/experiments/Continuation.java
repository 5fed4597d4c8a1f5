package dev.metaplastic.experiments;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.ContinuationStream;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.interop.ImportedModel;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The protocol of {@code metaplastic continue}: continual learning that starts from a classifier
 * trained elsewhere (Keras). For each method and seed the model is imported, its importance
 * estimated on a sample of its original training data and consolidated, so that the original task
 * is task 0 of the accuracy matrix with the imported accuracy as its starting point; then the new
 * tasks are learned one after another. Joint training (the upper bound: the imported model trained
 * on the original and the new tasks' data together, for as many optimizer steps as a sequential
 * run) runs for every seed first.
 */
public final class Continuation {
  private static final int EVAL_BATCH = 1000;

  /**
   * What the protocol trains and how.
   *
   * @param stream the kind of new tasks, one of {@link ContinuationStream#KINDS}
   * @param tasks the number of new tasks
   * @param epochs epochs per new task
   * @param batch examples per optimizer step
   * @param optimizer the optimizer
   * @param importanceSamples original-task training examples the importance at the import is
   *     estimated from
   * @param trainExamples training examples per task, at most
   * @param seeds the seeds of the minibatch order and the importance samples, distinct
   * @param sessionOptions how the training sessions run (threads)
   */
  public record Settings(
      String stream,
      int tasks,
      int epochs,
      int batch,
      OptimizerConfig optimizer,
      int importanceSamples,
      int trainExamples,
      List<Long> seeds,
      SessionOptions sessionOptions) {
    /**
     * Checks the settings.
     *
     * @throws InvalidInputException naming the command line's option of a value out of range
     */
    public Settings {
      positive(tasks, "--tasks");
      positive(epochs, "--epochs");
      positive(batch, "--batch");
      positive(importanceSamples, "--importance-samples");
      positive(trainExamples, "--train-examples");
      seeds = List.copyOf(seeds);
      InvalidInputException.check(
          !seeds.isEmpty() && new HashSet<>(seeds).size() == seeds.size(),
          "--seeds must list distinct seeds, got %s",
          seeds);
      InvalidInputException.check(
          ContinuationStream.KINDS.contains(stream),
          "unknown --stream '%s'; expected one of %s",
          stream,
          String.join(", ", ContinuationStream.KINDS));
    }

    private static void positive(int value, String option) {
      InvalidInputException.check(value >= 1, "%s must be at least 1, got %s", option, value);
    }
  }

  private final ImportedModel imported;
  private final TaskStream tasks;
  private final Settings settings;

  private Continuation(ImportedModel imported, TaskStream tasks, Settings settings) {
    this.imported = imported;
    this.tasks = tasks;
    this.settings = settings;
  }

  /**
   * The protocol for {@code imported} on {@code fashion}: checks that the model classifies
   * Fashion-MNIST, measures its test accuracy (the reference of the original task) and makes the
   * stream of its original task and the new ones.
   *
   * @param data where {@code fashion} was read, to name it in messages and the description
   * @throws InvalidInputException if the model does not fit the data or the stream
   */
  public static Continuation of(
      ImportedModel imported, FashionMnist fashion, Path data, Settings settings) {
    String testSet = "the Fashion-MNIST test set in " + data;
    try {
      imported.checkData(fashion.test().featureSize(), 1, FashionMnist.CLASS_NAMES.size(), testSet);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    ImportedModel measured =
        imported.withReferenceAccuracy(imported.accuracy(fashion.test()), testSet);
    TaskStream tasks =
        ContinuationStream.of(
            settings.stream(), fashion, settings.tasks(), 0, settings.trainExamples());
    measured.checkFits(tasks);
    return new Continuation(measured, tasks, settings);
  }

  /** The imported model, with its reference accuracy. */
  public ImportedModel imported() {
    return imported;
  }

  /** The original task and the new ones. */
  public TaskStream tasks() {
    return tasks;
  }

  /** The protocol in one paragraph, for reports. */
  public String describe() {
    List<String> names = new ArrayList<>();
    tasks.tasks().forEach(t -> names.add(t.name()));
    return String.format(
        "Keras model %s (%s; test accuracy %.4f on the Fashion-MNIST test set of %s). Stream:"
            + " %s. Tasks: %s. %s, %d epoch(s) per new task, batch %d, up to %d training images per"
            + " task; importance at the import from %d original training images; seeds %s (the"
            + " minibatch order and importance samples; the tasks are the same in every run)."
            + " Joint training: the Keras model trained on all %d tasks' data together for as"
            + " many optimizer steps as a sequential run (%d).",
        imported.savedModel(),
        imported.spec(0).describe(),
        imported.source().referenceAccuracy(),
        tasks.source(),
        tasks.name(),
        String.join("; ", names),
        settings.optimizer(),
        settings.epochs(),
        settings.batch(),
        settings.trainExamples(),
        settings.importanceSamples(),
        settings.seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")),
        tasks.tasks().size(),
        sequentialSteps(new ContinualTrainer(config(List.of(), 0), TrainingListener.NONE)));
  }

  /**
   * Runs joint training for every seed, then every chosen method and sweep point for every seed.
   *
   * @param chosen the methods, fine-tuning first
   * @param sweeps strength sweeps, run after the chosen methods
   * @param exportDir where each chosen method's final model of the first seed is exported as a
   *     drop-in SavedModel, in {@code exportDir/<method>}; null for none
   */
  public ContinuationResult run(
      List<Method> chosen, List<Sweep> sweeps, Path exportDir, ExperimentListener listener) {
    checkArgument(
        !chosen.isEmpty() && chosen.get(0).rules().isEmpty() && !chosen.get(0).joint(),
        "the chosen methods start with fine-tuning");
    List<Long> seeds = settings.seeds();
    List<MethodResult> joint = new ArrayList<>();
    for (long seed : seeds) {
      joint.add(joint(seed, listener));
      listener.finished(seed, joint.get(joint.size() - 1));
    }
    List<Method> all = new ArrayList<>(chosen);
    sweeps.forEach(s -> all.addAll(s.points().values()));
    Map<String, List<MethodResult>> runs = new LinkedHashMap<>();
    for (Method method : all) {
      if (runs.containsKey(method.description())) {
        continue;
      }
      List<MethodResult> perSeed = new ArrayList<>();
      for (long seed : seeds) {
        Path to =
            exportDir != null && seed == seeds.get(0) && chosen.contains(method)
                ? exportDir.resolve(method.name())
                : null;
        perSeed.add(sequential(method, seed, to, listener));
        listener.finished(seed, perSeed.get(perSeed.size() - 1));
      }
      runs.put(method.description(), perSeed);
    }
    return new ContinuationResult(
        imported.source().referenceAccuracy(), seeds, chosen, sweeps, joint, runs);
  }

  private TrainerConfig config(List<RuleConfig> rules, long seed) {
    return new TrainerConfig(
        imported.spec(seed).hidden(),
        settings.epochs(),
        settings.batch(),
        settings.optimizer(),
        rules,
        seed);
  }

  /** Optimizer steps of one sequential run: training every new task. */
  private long sequentialSteps(ContinualTrainer trainer) {
    List<Task> all = tasks.tasks();
    return all.subList(1, all.size()).stream().mapToLong(trainer::steps).sum();
  }

  /**
   * Imports, consolidates on the original task, learns every new task; exports the final model to
   * {@code exportTo} unless it is null.
   */
  private MethodResult sequential(
      Method method, long seed, Path exportTo, ExperimentListener listener) {
    StepTimer timer = new StepTimer(listener.training(method, seed));
    ContinualTrainer trainer = new ContinualTrainer(config(method.rules(), seed), timer);
    long start = System.nanoTime();
    try (ModelSession model =
        imported.open(settings.optimizer(), method.rules(), seed, settings.sessionOptions())) {
      trainer.consolidateLearned(model, tasks, 0, settings.importanceSamples());
      double original = model.evaluate(tasks.tasks().get(0).test(), EVAL_BATCH);
      StreamDescription descriptor = StreamDescription.of(tasks);
      AccuracyMatrix matrix = trainer.run(model, tasks, descriptor, new double[][] {{original}});
      if (exportTo != null) {
        SavedModels.export(model, descriptor, exportTo);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return MethodResult.sequential(
          method, matrix, seconds / (matrix.tasks() - 1), timer.secondsPerStep());
    }
  }

  /** The imported model trained on every task's data at once, as many steps as a sequential run. */
  private MethodResult joint(long seed, ExperimentListener listener) {
    StepTimer timer = new StepTimer(listener.training(Method.jointTraining(), seed));
    ContinualTrainer trainer = new ContinualTrainer(config(List.of(), seed), timer);
    long start = System.nanoTime();
    try (ModelSession model =
        imported.open(settings.optimizer(), List.of(), seed, settings.sessionOptions())) {
      double[] accuracies = trainer.trainJointly(model, tasks, sequentialSteps(trainer));
      double seconds = (System.nanoTime() - start) / 1e9;
      return new MethodResult(
          Method.JOINT,
          "joint training (upper bound)",
          null,
          accuracies,
          seconds / (tasks.tasks().size() - 1),
          timer.secondsPerStep());
    }
  }
}
