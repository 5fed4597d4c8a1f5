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
   * Sizes given on a command line; an empty one leaves the task's standard size. {@code gonogo}
   * takes {@code steps} T and {@code cues} K ({@link GoNoGoReversalTask}); {@code copy} takes the
   * sequence {@code length} L and the {@code delay} D ({@link CopyTask}); the other tasks take
   * none.
   */
  public record Sizes(OptionalInt steps, OptionalInt cues, OptionalInt length, OptionalInt delay) {
    /** No size given: every task at its standard size. */
    public static final Sizes STANDARD =
        new Sizes(
            OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty());

    public Sizes {
      checkNotNull(steps, "steps");
      checkNotNull(cues, "cues");
      checkNotNull(length, "length");
      checkNotNull(delay, "delay");
    }

    /** The sizes of possibly-null command-line values. */
    public static Sizes of(Integer steps, Integer cues, Integer length, Integer delay) {
      return new Sizes(optional(steps), optional(cues), optional(length), optional(delay));
    }

    private static OptionalInt optional(Integer value) {
      return value == null ? OptionalInt.empty() : OptionalInt.of(value);
    }
  }

  /**
   * Builds the task of the given name, with the sizes given and the standard ones otherwise; with
   * no size given, this is {@link #named(String)}.
   *
   * @throws IllegalArgumentException if the name is unknown, if a size is given that the task does
   *     not take, or if a size is out of range
   */
  public static EpisodeTask named(String name, Sizes sizes) {
    checkNotNull(sizes, "sizes");
    EpisodeTask standard = named(name);
    if (sizes.equals(Sizes.STANDARD)) {
      return standard;
    }
    if (standard instanceof GoNoGoReversalTask) {
      checkArgument(
          sizes.length().isEmpty() && sizes.delay().isEmpty(),
          "task 'gonogo' takes a number of steps and of cues, not a length or a delay");
      return new GoNoGoReversalTask(
          sizes.steps().orElse(GoNoGoReversalTask.STANDARD_STEPS),
          sizes.cues().orElse(GoNoGoReversalTask.STANDARD_CUES));
    }
    if (standard instanceof CopyTask) {
      checkArgument(
          sizes.steps().isEmpty() && sizes.cues().isEmpty(),
          "task 'copy' takes a length and a delay, not a number of steps or cues");
      return new CopyTask(
          CopyTask.STANDARD_SYMBOLS,
          sizes.length().orElse(CopyTask.STANDARD_LENGTH),
          sizes.delay().orElse(CopyTask.STANDARD_DELAY));
    }
    throw new IllegalArgumentException(
        String.format(
            "task '%s' has fixed sizes; only gonogo takes steps and cues, only copy a length and a"
                + " delay",
            name));
  }
}
