package dev.metaplastic.train;

import dev.metaplastic.data.Examples;
import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.graphs.MlpSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains one model on a stream of tasks, one after the other: {@code epochs} passes of shuffled
 * minibatches per task, {@code consolidate} at each task boundary, and a test of every task seen so
 * far after each task.
 *
 * <p>Also trains the joint-training upper bound: one model on all tasks' data at once.
 */
public final class ContinualTrainer {
  private static final int EVAL_BATCH = 1000;

  private final TrainerConfig config;
  private final TrainingListener listener;

  /** A trainer with {@code config} that reports to {@code listener}. */
  public ContinualTrainer(TrainerConfig config, TrainingListener listener) {
    this.config = config;
    this.listener = listener;
  }

  /** Trains on every task of {@code stream} in order and returns the accuracy matrix. */
  public AccuracyMatrix run(TaskStream stream) {
    List<Task> tasks = stream.tasks();
    double[][] rows = new double[tasks.size()][];
    try (ModelSession model = open(stream)) {
      SplittableRandom random = new SplittableRandom(config.seed());
      for (int i = 0; i < tasks.size(); i++) {
        Task task = tasks.get(i);
        train(model, task, task.train(), i, random);
        model.consolidate();
        rows[i] = new double[i + 1];
        for (int j = 0; j <= i; j++) {
          rows[i][j] = model.evaluate(tasks.get(j).test(), EVAL_BATCH);
        }
        listener.taskFinished(task, i, rows[i].clone());
      }
    }
    List<String> names = new ArrayList<>();
    tasks.forEach(t -> names.add(t.name()));
    return new AccuracyMatrix(names, rows);
  }

  /**
   * Joint training, the upper bound: one model trained on the union of all tasks' training sets for
   * the same number of epochs (so as many optimizer steps as the sequential run). Returns the test
   * accuracy on each task.
   */
  public double[] trainJointly(TaskStream stream) {
    List<Task> tasks = stream.tasks();
    List<Examples> all = new ArrayList<>();
    tasks.forEach(t -> all.add(t.train()));
    Task joint = new Task(0, "all tasks jointly", Examples.concat(all), tasks.get(0).test());
    try (ModelSession model = open(stream)) {
      train(model, joint, joint.train(), 0, new SplittableRandom(config.seed()));
      double[] accuracies = new double[tasks.size()];
      for (int j = 0; j < tasks.size(); j++) {
        accuracies[j] = model.evaluate(tasks.get(j).test(), EVAL_BATCH);
      }
      listener.taskFinished(joint, 0, accuracies.clone());
      return accuracies;
    }
  }

  private ModelSession open(TaskStream stream) {
    MlpSpec spec = config.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead());
    return new ModelSession(spec, config.optimizer(), config.rules());
  }

  private void train(
      ModelSession model, Task task, Examples data, int index, SplittableRandom random) {
    int batch = config.batchSize();
    int stepsPerEpoch = (data.size() + batch - 1) / batch;
    listener.taskStarted(task, index, (long) stepsPerEpoch * config.epochs());
    float[] features = new float[batch * data.featureSize()];
    int[] labels = new int[batch];
    int[] tasks = new int[batch];
    int[] order = new int[data.size()];
    long step = 0;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      shuffle(order, random);
      for (int from = 0; from < order.length; from += batch) {
        int count = Math.min(batch, order.length - from);
        data.gather(order, from, count, features, labels, tasks);
        ModelSession.StepResult result = model.trainStep(features, labels, tasks, count);
        if (!Float.isFinite(result.loss()) || !Float.isFinite(result.penalty())) {
          throw new TrainingDivergedException(
              String.format(
                  "training diverged on task %d (%s), epoch %d, step %d: loss %s, penalty %s;"
                      + " lower the learning rate (%s) or the rule strength",
                  index,
                  task.name(),
                  epoch + 1,
                  step + 1,
                  result.loss(),
                  result.penalty(),
                  config.optimizer().hyperparameters().get("learning_rate")));
        }
        step++;
        listener.stepFinished(task, step, result);
      }
    }
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
