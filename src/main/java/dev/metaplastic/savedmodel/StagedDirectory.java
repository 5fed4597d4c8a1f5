package dev.metaplastic.savedmodel;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.files.Outputs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A directory written in a temporary sibling of its final place and renamed into it at the end, so
 * that it appears complete or not at all: {@link #create} checks the target, {@link #path()} is
 * where to write, {@link #commit()} renames, and {@link #close()} removes whatever was not
 * committed. Use it with try-with-resources.
 *
 * <p>The target must not exist, or be an empty directory (which the rename replaces); a file, a
 * non-empty directory, a dangling symbolic link, a path under a file and a directory that cannot be
 * written are refused before anything is written. A symbolic link to an empty directory is written
 * through. The temporary sibling {@code .tmp-<target>-<random>} holds a locked file while in use.
 * {@link #checkTarget}, and so {@link #create}, removes the siblings of the same target whose
 * writer died, whether or not the target is then refused: a writer killed between the rename and
 * the removal of its sibling leaves a complete target beside a sibling holding only its lock file.
 */
public final class StagedDirectory implements AutoCloseable {
  private static final String TEMP_PREFIX = ".tmp-";

  private final Path target;
  private final Path temp;
  private final Path content;
  private final FileChannel lock;
  private boolean committed;

  private StagedDirectory(Path target, Path temp, FileChannel lock) {
    this.target = target;
    this.temp = temp;
    this.content = temp.resolve("content");
    this.lock = lock;
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
    String what = option == null ? "output directory" : option;
    Path absolute = target.toAbsolutePath().normalize();
    if (Files.isSymbolicLink(absolute) && Files.exists(absolute)) {
      try {
        absolute = absolute.toRealPath();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot follow the symbolic link " + target, e);
      }
    }
    checkTarget(target.toString().isEmpty() ? target : absolute, option);
    Outputs.checkWritable(target, what);
    Path temp = null;
    try {
      Files.createDirectories(absolute.getParent());
      temp =
          Files.createTempDirectory(
              absolute.getParent(), Outputs.STAGING_PREFIX + absolute.getFileName() + "-");
      FileChannel lock =
          FileChannel.open(
              temp.resolve(Outputs.STAGING_LOCK),
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE);
      lock.lock();
      return new StagedDirectory(absolute, temp, lock);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new UncheckedIOException("cannot write " + what + " " + target, e);
    }
  }

  /**
   * Refuses a target that is a file or a non-empty directory, after removing the temporary siblings
   * that writers to the same target left when they died (they hold no user data).
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
    InvalidInputException.check(
        !target.toString().isEmpty(),
        "%s is empty; give a directory",
        option == null ? "the directory" : option);
    Outputs.removeStaleStaging(target);
    InvalidInputException.check(
        !Files.exists(target) || Files.isDirectory(target),
        "%s is a file; give a new or empty directory",
        name);
    if (Files.isDirectory(target)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
        InvalidInputException.check(
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
    try {
      lock.close();
    } catch (IOException e) {
      // Deleting the directory below is what matters.
    }
    deleteQuietly(temp);
  }

  private static void deleteQuietly(Path temp) {
    if (temp == null || !Files.exists(temp)) {
      return;
    }
    try {
      Outputs.deleteTree(temp);
    } catch (IOException e) {
      // A leftover is removed by the next write to the same target.
    }
  }
}
