package dev.metaplastic.savedmodel;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.metaplastic.train.Checkpoints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A directory written in a temporary sibling of its final place and renamed into it at the end, so
 * that it appears complete or not at all: {@link #create} checks the target, {@link #path()} is
 * where to write, {@link #commit()} renames, and {@link #close()} removes whatever was not
 * committed. Use it with try-with-resources.
 *
 * <p>The target must not exist, or be an empty directory (which the rename replaces); a file or a
 * non-empty directory is refused before anything is written.
 */
public final class StagedDirectory implements AutoCloseable {
  private static final String TEMP_PREFIX = ".tmp-";

  private final Path target;
  private final Path temp;
  private final Path content;
  private boolean committed;

  private StagedDirectory(Path target, Path temp) {
    this.target = target;
    this.temp = temp;
    this.content = temp.resolve("content");
  }

  /**
   * Checks {@code target} and creates the temporary sibling (and the target's parent directories).
   *
   * @throws IllegalArgumentException if {@code target} is a file or a non-empty directory
   */
  public static StagedDirectory create(Path target) {
    return create(target, null);
  }

  /**
   * As {@link #create(Path)}, naming the target in messages after the command-line option that gave
   * it, such as {@code --out}.
   */
  public static StagedDirectory create(Path target, String option) {
    checkNotNull(target, "target directory must not be null");
    Path absolute = target.toAbsolutePath().normalize();
    checkTarget(absolute, option);
    try {
      Files.createDirectories(absolute.getParent());
      Path temp =
          Files.createTempDirectory(
              absolute.getParent(), TEMP_PREFIX + absolute.getFileName() + "-");
      return new StagedDirectory(absolute, temp);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory beside " + absolute, e);
    }
  }

  /**
   * Refuses a target that is a file or a non-empty directory.
   *
   * @throws IllegalArgumentException naming the target and what is wrong
   */
  public static void checkTarget(Path target) {
    checkTarget(target, null);
  }

  /**
   * As {@link #checkTarget(Path)}, naming the target in messages after the command-line option that
   * gave it, such as {@code --out}; {@code option} may be null.
   */
  public static void checkTarget(Path target, String option) {
    String name = option == null ? target.toString() : option + " " + target;
    checkArgument(
        !Files.exists(target) || Files.isDirectory(target),
        "%s is a file; give a new or empty directory",
        name);
    if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
        checkArgument(
            !entries.iterator().hasNext(),
            "%s already exists and is not empty; give a new or empty directory",
            name);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + target, e);
      }
    }
  }

  /** Where to write: a directory that does not exist yet (a writer such as TF's creates it). */
  public Path path() {
    return content;
  }

  /** The final directory. */
  public Path target() {
    return target;
  }

  /**
   * Renames what was written at {@link #path()} to the target, in one atomic step.
   *
   * @throws IllegalStateException if nothing was written or this was already committed
   */
  public void commit() {
    checkState(!committed, "%s was already committed", target);
    checkState(Files.isDirectory(content), "nothing was written for %s", target);
    checkTarget(target);
    try {
      Files.move(content, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new UncheckedIOException(
          "the file system of " + target + " cannot rename atomically", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + content + " to " + target, e);
    }
    committed = true;
  }

  /** Deletes the temporary directory and anything in it that was not committed. */
  @Override
  public void close() {
    if (!Files.exists(temp)) {
      return;
    }
    try {
      Checkpoints.deleteTree(temp);
    } catch (IOException e) {
      // A leftover temporary directory is harmless; the write itself already succeeded or failed.
    }
  }
}
