package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.InvalidInputException;
import java.nio.file.Path;
import java.util.List;

/** Builds task streams by name, for command lines and configuration files. */
public final class TaskStreams {
  /**
   * Most tasks a stream may have: after each task the model is tested on every task so far, so a
   * run of n tasks takes n(n+1)/2 test passes, half a million for 1,000.
   */
  public static final int MAX_TASKS = 1000;

  static final List<String> KINDS =
      List.of("split", "split-class", "permuted", "permuted-task", "generated");

  private TaskStreams() {}

  /**
   * Builds the stream of the given kind.
   *
   * <ul>
   *   <li>{@code "split"}: {@link SplitStream#taskIncremental}, always 5 tasks;
   *   <li>{@code "split-class"}: {@link SplitStream#classIncremental}, always 5 tasks;
   *   <li>{@code "permuted"}: {@link PermutedStream#of} with {@code numTasks} tasks, one shared
   *       head (domain-incremental);
   *   <li>{@code "permuted-task"}: {@link PermutedStream#taskIncremental} with {@code numTasks}
   *       tasks, one head per task (task-incremental);
   *   <li>{@code "generated"}: {@link GeneratedStream#of} with {@code numTasks} tasks, which does
   *       not read {@code dataDir}.
   * </ul>
   *
   * @param kind one of {@code split}, {@code split-class}, {@code permuted}, {@code permuted-task},
   *     {@code generated}
   * @param dataDir Fashion-MNIST directory, read by the split and permuted kinds
   * @param numTasks number of tasks, at least 1; ignored by the split kinds
   * @param seed seed of the permuted and generated kinds; ignored by the split kinds
   * @return the stream
   * @throws IllegalArgumentException if the kind is unknown or {@code numTasks} is not positive
   * @throws DataException if the data set is needed but missing or malformed, or too small to give
   *     every task a training and a test example
   */
  public static TaskStream named(String kind, Path dataDir, int numTasks, long seed) {
    checkNotNull(kind, "kind");
    InvalidInputException.check(numTasks >= 1, "need at least 1 task, got %s", numTasks);
    return everyTaskHasExamples(build(kind, dataDir, numTasks, seed));
  }

  private static TaskStream build(String kind, Path dataDir, int numTasks, long seed) {
    return switch (kind) {
      case "split" -> SplitStream.taskIncremental(FashionMnist.load(dataDir));
      case "split-class" -> SplitStream.classIncremental(FashionMnist.load(dataDir));
      case "permuted" ->
          PermutedStream.of(checkSize(FashionMnist.load(dataDir), numTasks), numTasks, seed);
      case "permuted-task" ->
          PermutedStream.taskIncremental(
              checkSize(FashionMnist.load(dataDir), numTasks), numTasks, seed);
      case "generated" -> {
        checkSize(
            numTasks,
            GeneratedStream.DEFAULT_TRAIN_PER_TASK + GeneratedStream.TEST_PER_TASK,
            FashionMnist.IMAGE_SIZE);
        yield GeneratedStream.of(numTasks, seed);
      }
      default ->
          throw new InvalidInputException(
              String.format(
                  "unknown task stream kind '%s', expected one of %s",
                  kind, String.join(", ", KINDS)));
    };
  }

  /**
   * Refuses a stream with a task that has no training or no test example (a data set too small to
   * split), before any training, instead of failing after the first tasks.
   */
  private static TaskStream everyTaskHasExamples(TaskStream stream) {
    for (Task task : stream.tasks()) {
      if (task.train().size() == 0 || task.test().size() == 0) {
        throw new DataException(
            String.format(
                "the data in %s gives task %d (%s) %d training and %d test examples; every task"
                    + " needs at least one of each",
                stream.source(), task.id(), task.name(), task.train().size(), task.test().size()));
      }
    }
    return stream;
  }

  /** Checks the size of a permuted stream of {@code numTasks} tasks over {@code data}. */
  private static FashionMnist checkSize(FashionMnist data, int numTasks) {
    int train = Math.min(data.train().size(), PermutedStream.TRAIN_EXAMPLES_PER_TASK);
    checkSize(numTasks, train + data.test().size(), data.train().featureSize());
    return data;
  }

  /**
   * Refuses more than {@value #MAX_TASKS} tasks, and a stream whose examples (each task keeps its
   * own copy) would take more than half the memory this JVM may use.
   */
  private static void checkSize(int numTasks, long examplesPerTask, int featureSize) {
    InvalidInputException.check(
        numTasks <= MAX_TASKS,
        "%s tasks are more than the %s a stream may have: after each task the model is tested on"
            + " every task so far, so n tasks take n(n+1)/2 test passes",
        numTasks,
        MAX_TASKS);
    double bytes = (double) numTasks * examplesPerTask * featureSize * Float.BYTES;
    long budget = Runtime.getRuntime().maxMemory() / 2;
    if (bytes > budget) {
      throw new InvalidInputException(
          String.format(
              "%d tasks would hold %.0f MB of examples (%d per task, each task its own copy), more"
                  + " than half of the %d MB this JVM may use (-Xmx)",
              numTasks,
              bytes / (1 << 20),
              examplesPerTask,
              Runtime.getRuntime().maxMemory() >> 20));
    }
  }

  /**
   * Tells whether a directory holds the Fashion-MNIST files the split and permuted kinds need.
   *
   * @param dir the directory to inspect
   * @return whether all four files exist, plain or gzipped
   */
  public static boolean datasetPresent(Path dir) {
    return FashionMnist.isPresent(dir);
  }
}
