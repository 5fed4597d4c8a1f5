package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.InvalidInputException;
import java.nio.file.Path;
import java.util.List;

/** Builds task streams by name, for command lines and configuration files. */
public final class TaskStreams {
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
   * @throws DataException if the data set is needed but missing or malformed
   */
  public static TaskStream named(String kind, Path dataDir, int numTasks, long seed) {
    checkNotNull(kind, "kind");
    InvalidInputException.check(numTasks >= 1, "need at least 1 task, got %s", numTasks);
    return switch (kind) {
      case "split" -> SplitStream.taskIncremental(FashionMnist.load(dataDir));
      case "split-class" -> SplitStream.classIncremental(FashionMnist.load(dataDir));
      case "permuted" -> PermutedStream.of(FashionMnist.load(dataDir), numTasks, seed);
      case "permuted-task" ->
          PermutedStream.taskIncremental(FashionMnist.load(dataDir), numTasks, seed);
      case "generated" -> GeneratedStream.of(numTasks, seed);
      default ->
          throw new InvalidInputException(
              String.format(
                  "unknown task stream kind '%s', expected one of %s",
                  kind, String.join(", ", KINDS)));
    };
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
