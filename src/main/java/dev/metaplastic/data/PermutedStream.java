package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Permuted Fashion-MNIST: every task is the full ten-class problem with its pixels shuffled by a
 * fixed permutation of its own, learned either with one shared ten-class head (domain-incremental,
 * {@link #of}) or with one ten-class head per task, each example's task id selecting its head
 * (task-incremental, {@link #taskIncremental}, as in the 'task' scenario of Laborieux et al.'s
 * permuted-MNIST experiments, whose binarized networks keep one batch normalization per task).
 *
 * <p>Task 0 uses the identity permutation. Task {@code t ≥ 1} uses a permutation drawn by
 * Fisher–Yates from {@code new Random(seed + t)}: pixel {@code j} of a permuted image is pixel
 * {@code permutation[j]} of the original.
 *
 * <p>To bound memory (ten full permuted copies of the training set would take about 1.9 GB), each
 * task trains on a random subset of {@value #TRAIN_EXAMPLES_PER_TASK} training images (all of them
 * if there are fewer), drawn from the same {@code Random} after the permutation, so it differs
 * between tasks. Every task is tested on the full permuted test set.
 */
public final class PermutedStream implements TaskStream {
  static final int TRAIN_EXAMPLES_PER_TASK = 10_000;
  private static final int NUM_CLASSES = FashionMnist.CLASS_NAMES.size();

  private final int featureSize;
  private final List<Task> tasks;
  private final String source;
  private final String fingerprint;
  private final boolean taskIncremental;

  private PermutedStream(
      int featureSize,
      List<Task> tasks,
      String source,
      String fingerprint,
      boolean taskIncremental) {
    this.featureSize = featureSize;
    this.tasks = List.copyOf(tasks);
    this.source = source;
    this.fingerprint = fingerprint;
    this.taskIncremental = taskIncremental;
  }

  /**
   * Builds the task-incremental permuted stream: the tasks of {@link #of} (the same permutations
   * and training subsets), with one head per task.
   *
   * @param data the loaded data set
   * @param numTasks number of tasks, at least 1
   * @param seed seed of the permutations and training subsets; the same seed gives the same stream
   * @return the stream, with {@link #heads()} equal to {@code numTasks}
   */
  public static PermutedStream taskIncremental(FashionMnist data, int numTasks, long seed) {
    PermutedStream domain = of(data, numTasks, seed);
    return new PermutedStream(
        domain.featureSize, domain.tasks, domain.source, domain.fingerprint, true);
  }

  /**
   * Builds a permuted stream with one shared head (domain-incremental).
   *
   * @param data the loaded data set
   * @param numTasks number of tasks, at least 1
   * @param seed seed of the permutations and training subsets; the same seed gives the same stream
   * @return the stream
   */
  public static PermutedStream of(FashionMnist data, int numTasks, long seed) {
    return of(data, numTasks, seed, TRAIN_EXAMPLES_PER_TASK);
  }

  /**
   * Builds a permuted stream with one shared head whose tasks train on {@code trainExamples} images
   * each (all of them if there are fewer); {@link #of(FashionMnist, int, long)} uses {@value
   * #TRAIN_EXAMPLES_PER_TASK}. The permutations do not depend on {@code trainExamples}.
   *
   * @param trainExamples training images per task, at least 1
   */
  public static PermutedStream of(FashionMnist data, int numTasks, long seed, int trainExamples) {
    checkNotNull(data, "data");
    checkArgument(numTasks >= 1, "need at least 1 permuted task, got %s", numTasks);
    checkArgument(
        trainExamples >= 1, "need at least 1 training image per task, got %s", trainExamples);
    int featureSize = data.train().featureSize();
    int trainSize = Math.min(data.train().size(), trainExamples);
    int[] allTest = identity(data.test().size());
    List<Task> tasks = new ArrayList<>(numTasks);
    for (int t = 0; t < numTasks; t++) {
      Random random = new Random(seed + t);
      int[] permutation = identity(featureSize);
      if (t > 0) {
        shuffle(permutation, permutation.length, random);
      }
      int[] trainRows = identity(data.train().size());
      shuffle(trainRows, trainSize, random);
      String name = t == 0 ? "permutation 0 (identity)" : "permutation " + t;
      tasks.add(
          new Task(
              t,
              name,
              permute(data.train(), Arrays.copyOf(trainRows, trainSize), permutation, t),
              permute(data.test(), allTest, permutation, t)));
    }
    return new PermutedStream(
        featureSize, tasks, data.directory().toString(), data.fingerprint(), false);
  }

  @Override
  public String name() {
    return taskIncremental
        ? "permuted-fashion-mnist (task-incremental)"
        : "permuted-fashion-mnist (domain-incremental)";
  }

  @Override
  public int featureSize() {
    return featureSize;
  }

  @Override
  public int heads() {
    return taskIncremental ? tasks.size() : 1;
  }

  @Override
  public int classesPerHead() {
    return NUM_CLASSES;
  }

  @Override
  public List<Task> tasks() {
    return tasks;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public String fingerprint() {
    return fingerprint;
  }

  private static int[] identity(int size) {
    int[] values = new int[size];
    Arrays.setAll(values, i -> i);
    return values;
  }

  /**
   * Fisher–Yates, stopped after the first {@code count} positions: those then hold a uniformly
   * random sample, in random order, of all the values.
   */
  static void shuffle(int[] values, int count, Random random) {
    for (int i = 0; i < count && i < values.length - 1; i++) {
      int j = i + random.nextInt(values.length - i);
      int swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
  }

  private static Examples permute(Examples source, int[] rows, int[] permutation, int task) {
    int featureSize = source.featureSize();
    float[] in = source.features();
    float[] features = new float[rows.length * featureSize];
    int[] labels = new int[rows.length];
    int[] tasks = new int[rows.length];
    for (int r = 0; r < rows.length; r++) {
      int from = rows[r] * featureSize;
      int to = r * featureSize;
      for (int j = 0; j < featureSize; j++) {
        features[to + j] = in[from + permutation[j]];
      }
      labels[r] = source.labels()[rows[r]];
      tasks[r] = task;
    }
    return new Examples(features, labels, tasks, featureSize);
  }
}
