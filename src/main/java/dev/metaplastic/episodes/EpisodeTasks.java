package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

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
}
