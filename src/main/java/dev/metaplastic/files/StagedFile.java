package dev.metaplastic.files;

import static com.google.common.base.Preconditions.checkState;

import dev.metaplastic.InvalidInputException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A text file written in a temporary sibling {@code .tmp-<name>-<random>} and renamed over its
 * target at the end, so that the target holds the old content or the complete new one, never a
 * part: a full disk or a kill leaves the target as it was. The sibling is locked while it is
 * written, so the next write to the same target removes it if its writer died. Use it with
 * try-with-resources: write to {@link #output()}, then {@link #commit()}; {@link #close()} removes
 * what was not committed.
 */
public final class StagedFile implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final OutputStream output;
  private boolean committed;

  private StagedFile(Path target, Path temp, FileChannel channel) {
    this.target = target;
    this.temp = temp;
    this.channel = channel;
    this.output = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
  }

  /**
   * Checks {@code target} (see {@link Outputs#checkWritable}; it must not be a directory), creates
   * its parent directories, removes abandoned temporary siblings and creates a new, locked one.
   *
   * @param what how messages name the target, such as {@code --output}
   * @throws InvalidInputException if the target is a directory or cannot be created
   * @throws UncheckedIOException if the file system refuses to create the temporary file
   */
  public static StagedFile create(Path target, String what) {
    Outputs.checkWritable(target, what);
    Path absolute = target.toAbsolutePath().normalize();
    InvalidInputException.check(
        !Files.isDirectory(absolute), "%s %s is a directory; give a file name", what, target);
    try {
      Files.createDirectories(absolute.getParent());
      Outputs.removeStaleStaging(absolute);
      Path temp =
          Files.createTempFile(
              absolute.getParent(), Outputs.STAGING_PREFIX + absolute.getFileName() + "-", "");
      FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
      try {
        channel.lock();
        return new StagedFile(absolute, temp, channel);
      } catch (IOException | RuntimeException e) {
        channel.close();
        Files.deleteIfExists(temp);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + what + " " + target, e);
    }
  }

  /**
   * Writes {@code text} as UTF-8 to {@code target} through a staged file.
   *
   * @param what how messages name the target, such as {@code the report}
   */
  public static void writeString(Path target, String what, String text) {
    try (StagedFile file = create(target, what)) {
      file.output().write(text.getBytes(StandardCharsets.UTF_8));
      file.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + what + " " + target, e);
    }
  }

  /** Where to write the content; {@link #commit()} flushes it. */
  public OutputStream output() {
    return output;
  }

  /** The file written at the end. */
  public Path target() {
    return target;
  }

  /**
   * Flushes the content to disk and renames it over the target in one atomic step.
   *
   * @throws UncheckedIOException if the content cannot be written (such as on a full disk); the
   *     target is then unchanged
   */
  public void commit() {
    checkState(!committed, "%s was already committed", target);
    try {
      output.flush();
      channel.force(true);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new UncheckedIOException(
          "the file system of " + target + " cannot rename atomically", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
    committed = true;
  }

  /** Releases the temporary file, deleting it unless it was committed. */
  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing after a failed write: the failure itself is what the caller reports.
    }
    if (!committed) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // A leftover is removed by the next write to the same target.
      }
    }
  }
}
