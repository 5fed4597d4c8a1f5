package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a model was trained on, as checkpoints and SavedModels record it, so that a resumed run can
 * open the same stream again.
 *
 * @param kind how the stream was opened ({@link TaskStreams#named}'s kind such as {@code split},
 *     {@code custom} for a stream opened otherwise, {@code imported} for a model imported as is),
 *     or empty when unknown
 * @param name the stream's name
 * @param source where its data came from, as given
 * @param tasks number of tasks
 * @param taskNames each task's name
 * @param seed the seed it was opened with
 * @param directory the data's absolute directory when its content has a fingerprint, else empty
 * @param sha256 the data's fingerprint ({@link TaskStream#fingerprint}), or empty
 */
public record StreamDescription(
    String kind,
    String name,
    String source,
    int tasks,
    List<String> taskNames,
    long seed,
    String directory,
    String sha256) {
  /** Nothing known about the data. */
  public static final StreamDescription NONE =
      new StreamDescription("", "", "", 0, List.of(), 0, "", "");

  public StreamDescription {
    checkNotNull(kind, "kind must not be null");
    checkNotNull(name, "name must not be null");
    checkNotNull(source, "source must not be null");
    taskNames = List.copyOf(taskNames);
    checkNotNull(directory, "directory must not be null");
    checkNotNull(sha256, "sha256 must not be null");
  }

  /** A stream that was not opened by name: kind {@code custom}, its name, source and tasks. */
  public static StreamDescription of(TaskStream stream) {
    return new StreamDescription(
        "custom", stream.name(), stream.source(), stream.tasks().size(), names(stream), 0, "", "");
  }

  /**
   * A stream opened by {@link TaskStreams#named}{@code (kind, dir, tasks, seed)}; its directory and
   * fingerprint are recorded when its data has one.
   */
  public static StreamDescription named(String kind, TaskStream opened, Path dir, long seed) {
    boolean fingerprinted = !opened.fingerprint().isEmpty();
    return new StreamDescription(
        kind,
        opened.name(),
        opened.source(),
        opened.tasks().size(),
        names(opened),
        seed,
        fingerprinted ? dir.toAbsolutePath().normalize().toString() : "",
        opened.fingerprint());
  }

  /** A model's origin outside any stream, such as {@code imported} from a file. */
  public static StreamDescription origin(String kind, String name, String source) {
    return new StreamDescription(kind, name, source, 0, List.of(), 0, "", "");
  }

  /**
   * The directory to open the data from again: the absolute path recorded with the fingerprint,
   * else the source as given; empty for the generated stream, which reads no files.
   */
  public Optional<Path> dataDirectory() {
    if (kind.equals("generated")) {
      return Optional.empty();
    }
    return Optional.of(Path.of(directory.isEmpty() ? source : directory));
  }

  private static List<String> names(TaskStream stream) {
    return stream.tasks().stream().map(Task::name).toList();
  }
}
