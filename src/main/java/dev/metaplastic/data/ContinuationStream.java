package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The tasks of continuing to learn from a classifier trained elsewhere on Fashion-MNIST, such as a
 * Keras model: task 0 is the original ten-class problem the model already solves, tasks 1 to N are
 * new ones learned on the same ten-class head (one shared head, global labels).
 *
 * <ul>
 *   <li>{@code permuted}: task t is permutation t of {@link PermutedStream#of} with N + 1 tasks,
 *       whose permutation 0 is the identity, i.e. the original problem;
 *   <li>{@code split-class}: task t ≥ 1 is the class pair of split Fashion-MNIST's task t − 1
 *       ({@link SplitStream#classIncremental}), so at most 5 new tasks.
 * </ul>
 *
 * <p>Every task trains on a random subset of {@code trainExamples} of its training images (all of
 * them if there are fewer) and is tested on its whole test set. Each example's task id is its
 * task's position in this stream.
 */
public final class ContinuationStream implements TaskStream {
  /** The kinds of new tasks: {@code permuted} and {@code split-class}. */
  public static final List<String> KINDS = List.of("permuted", "split-class");

  /** Name of task 0. */
  public static final String ORIGINAL = "original (Fashion-MNIST, 10 classes)";

  private final String name;
  private final int featureSize;
  private final List<Task> tasks;
  private final String source;

  private ContinuationStream(String name, int featureSize, List<Task> tasks, String source) {
    this.name = name;
    this.featureSize = featureSize;
    this.tasks = List.copyOf(tasks);
    this.source = source;
  }

  /**
   * Builds the stream.
   *
   * @param kind {@code permuted} or {@code split-class}
   * @param data the loaded data set
   * @param newTasks number of tasks after the original one, at least 1 (at most 5 for {@code
   *     split-class})
   * @param seed seed of the permutations and of the training subsets
   * @param trainExamples training images per task, at least 1
   * @throws IllegalArgumentException for an unknown kind or a number of tasks out of range
   */
  public static ContinuationStream of(
      String kind, FashionMnist data, int newTasks, long seed, int trainExamples) {
    checkNotNull(kind, "kind");
    checkNotNull(data, "data");
    checkArgument(newTasks >= 1, "need at least 1 new task, got %s", newTasks);
    checkArgument(
        trainExamples >= 1, "need at least 1 training image per task, got %s", trainExamples);
    List<Task> tasks = new ArrayList<>();
    String description;
    switch (kind) {
      case "permuted" -> {
        List<Task> permuted = PermutedStream.of(data, newTasks + 1, seed, trainExamples).tasks();
        Task identity = permuted.get(0);
        tasks.add(new Task(0, ORIGINAL, identity.train(), identity.test()));
        tasks.addAll(permuted.subList(1, permuted.size()));
        description = "permuted";
      }
      case "split-class" -> {
        List<Task> pairs = SplitStream.classIncremental(data).tasks();
        checkArgument(
            newTasks <= pairs.size(),
            "split-class has %s class pairs, so at most %s new tasks; got --tasks %s",
            pairs.size(),
            pairs.size(),
            newTasks);
        tasks.add(
            new Task(
                0,
                ORIGINAL,
                sample(data.train(), trainExamples, 0, new Random(seed)),
                data.test()));
        for (int t = 1; t <= newTasks; t++) {
          Task pair = pairs.get(t - 1);
          tasks.add(
              new Task(
                  t,
                  pair.name(),
                  sample(pair.train(), trainExamples, t, new Random(seed + t)),
                  withTask(pair.test(), t)));
        }
        description = "class-pair";
      }
      default ->
          throw new IllegalArgumentException(
              String.format(
                  "unknown kind of new tasks '%s', expected one of %s",
                  kind, String.join(", ", KINDS)));
    }
    return new ContinuationStream(
        String.format(
            "Fashion-MNIST, then %d new %s task%s", newTasks, description, plural(newTasks)),
        data.train().featureSize(),
        tasks,
        data.directory().toString());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int featureSize() {
    return featureSize;
  }

  @Override
  public int heads() {
    return 1;
  }

  @Override
  public int classesPerHead() {
    return FashionMnist.CLASS_NAMES.size();
  }

  @Override
  public List<Task> tasks() {
    return tasks;
  }

  @Override
  public String source() {
    return source;
  }

  private static String plural(int n) {
    return n == 1 ? "" : "s";
  }

  /**
   * A uniformly random subset of {@code count} examples (all of them, in random order, if there are
   * fewer), with task id {@code task}.
   */
  private static Examples sample(Examples all, int count, int task, Random random) {
    int n = Math.min(count, all.size());
    int[] rows = new int[all.size()];
    Arrays.setAll(rows, i -> i);
    PermutedStream.shuffle(rows, n, random);
    float[] features = new float[n * all.featureSize()];
    int[] labels = new int[n];
    int[] tasks = new int[n];
    all.gather(rows, 0, n, features, labels, tasks);
    Arrays.fill(tasks, task);
    return new Examples(features, labels, tasks, all.featureSize());
  }

  /** The same examples (arrays shared) with every task id {@code task}. */
  private static Examples withTask(Examples examples, int task) {
    int[] tasks = new int[examples.size()];
    Arrays.fill(tasks, task);
    return new Examples(examples.features(), examples.labels(), tasks, examples.featureSize());
  }
}
