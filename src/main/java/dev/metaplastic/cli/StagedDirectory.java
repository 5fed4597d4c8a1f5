package dev.metaplastic.cli;

import dev.metaplastic.train.Checkpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * An output directory that appears complete or not at all: everything is written into a temporary
 * sibling, which {@link #commit()} renames onto the target; closing without a commit deletes the
 * temporary. The target must not exist yet, or be an empty directory.
 */
final class StagedDirectory implements AutoCloseable {
  private final Path target;
  private final String option;
  private final Path temp;
  private boolean committed;

  private StagedDirectory(Path target, String option, Path temp) {
    this.target = target;
    this.option = option;
    this.temp = temp;
  }

  /**
   * Refuses {@code target} if it exists and is not an empty directory.
   *
   * @param option the command-line option that named it, for the message
   * @throws IllegalArgumentException naming the option and the directory
   */
  static void checkFree(Path target, String option) {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new IllegalArgumentException(
          option + " " + target + " exists and is not a directory; name a new directory");
    }
    try (Stream<Path> entries = Files.list(target)) {
      if (entries.findAny().isPresent()) {
        throw new IllegalArgumentException(
            option + " " + target + " already exists and is not empty; name a new directory");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + target, e);
    }
  }

  /** Checks {@code target} with {@link #checkFree} and opens a temporary sibling to write into. */
  static StagedDirectory create(Path target, String option) {
    Path absolute = target.toAbsolutePath().normalize();
    checkFree(absolute, option);
    try {
      Files.createDirectories(absolute.getParent());
      Path temp =
          Files.createTempDirectory(absolute.getParent(), ".tmp-" + absolute.getFileName() + "-");
      return new StagedDirectory(absolute, option, temp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory beside " + absolute, e);
    }
  }

  /** The temporary directory to write into. */
  Path path() {
    return temp;
  }

  /** Renames the temporary directory onto the target, replacing it if it is an empty directory. */
  void commit() {
    checkFree(target, option);
    try {
      Files.deleteIfExists(target);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      committed = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + temp + " to " + target, e);
    }
  }

  /** Deletes the temporary directory unless it was committed. */
  @Override
  public void close() {
    if (!committed && Files.exists(temp)) {
      try {
        Checkpoints.deleteTree(temp);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot delete " + temp, e);
      }
    }
  }
}
