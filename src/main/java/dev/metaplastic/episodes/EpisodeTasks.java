package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.OptionalInt;

/** Builds episode tasks by name, for command lines and configuration files. */
public final class EpisodeTasks {
  static final List<String> NAMES = List.of("copy", "associative", "regression", "gonogo");

  private EpisodeTasks() {}

  /**
   * Builds the task of the given name with its standard sizes.
   *
   * <ul>
   *   <li>{@code "copy"}: {@link CopyTask#standard};
   *   <li>{@code "associative"}: {@link AssociativeRecallTask#standard};
   *   <li>{@code "regression"}: {@link FewShotRegressionTask#standard};
   *   <li>{@code "gonogo"}: {@link GoNoGoReversalTask#standard}.
   * </ul>
   *
   * @param name one of {@code copy}, {@code associative}, {@code regression}, {@code gonogo}
   * @return the task, whose {@link EpisodeTask#name()} is {@code name}
   * @throws IllegalArgumentException if the name is unknown
   */
  public static EpisodeTask named(String name) {
    checkNotNull(name, "name");
    return switch (name) {
      case "copy" -> CopyTask.standard();
      case "associative" -> AssociativeRecallTask.standard();
      case "regression" -> FewShotRegressionTask.standard();
      case "gonogo" -> GoNoGoReversalTask.standard();
      default ->
          throw new IllegalArgumentException(
              String.format(
                  "unknown episode task '%s', expected one of %s", name, String.join(", ", NAMES)));
    };
  }

  /**
   * Builds the task of the given name, with the sizes given and the standard ones otherwise. Only
   * {@code gonogo} takes sizes: {@code steps} T and {@code cues} K of {@link GoNoGoReversalTask};
   * with neither given, this is {@link #named(String)}.
   *
   * @throws IllegalArgumentException if the name is unknown, if a size is given for a task other
   *     than {@code gonogo}, or if a size is out of range
   */
  public static EpisodeTask named(String name, OptionalInt steps, OptionalInt cues) {
    checkNotNull(steps, "steps");
    checkNotNull(cues, "cues");
    EpisodeTask standard = named(name);
    if (steps.isEmpty() && cues.isEmpty()) {
      return standard;
    }
    checkArgument(
        standard instanceof GoNoGoReversalTask,
        "task '%s' has fixed sizes; only gonogo takes a number of steps or cues",
        name);
    return new GoNoGoReversalTask(
        steps.orElse(GoNoGoReversalTask.STANDARD_STEPS),
        cues.orElse(GoNoGoReversalTask.STANDARD_CUES));
  }
}
