package dev.metaplastic.files;

import dev.metaplastic.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Checks of output paths made before any work starts, and the clean-up of temporary siblings that a
 * killed process left behind.
 */
public final class Outputs {
  /** Prefix of every temporary sibling this project writes before renaming it into place. */
  public static final String STAGING_PREFIX = ".tmp-";

  /** The lock file inside a staged directory's temporary sibling. */
  public static final String STAGING_LOCK = ".lock";

  /**
   * A staging directory without a lock file is taken for abandoned only when older than this, so a
   * writer that has just created it and not yet its lock keeps it.
   */
  private static final Duration UNLOCKED_GRACE = Duration.ofMinutes(1);

  private Outputs() {}

  /**
   * Checks that {@code target} can be written, before any work: the path is not empty, is not a
   * dangling symbolic link, and the directory that will take the write — the target itself if it is
   * a directory, its directory if it is a file, otherwise its nearest existing ancestor, which must
   * not be a file — lets a file be created (a probe file is created and deleted there). Nothing is
   * left behind.
   *
   * @param what how messages name the target, such as {@code --out} or {@code the SavedModel
   *     directory}
   * @throws InvalidInputException if the path is empty, a dangling link, or under a file
   * @throws UncheckedIOException if the file system refuses the probe (read-only, permission, full)
   */
  public static void checkWritable(Path target, String what) {
    InvalidInputException.check(!target.toString().isEmpty(), "%s is empty; give a path", what);
    Path absolute = target.toAbsolutePath().normalize();
    if (Files.isSymbolicLink(absolute) && !Files.exists(absolute)) {
      throw new InvalidInputException(
          String.format(
              "%s %s is a symbolic link to %s, which does not exist; give a new path or create"
                  + " the link's target",
              what, target, linkTarget(absolute)));
    }
    Path existing = absolute;
    if (Files.exists(existing) && !Files.isDirectory(existing)) {
      existing = existing.getParent(); // a file to replace: its directory takes the write
    }
    while (!Files.exists(existing)) {
      existing = existing.getParent();
    }
    InvalidInputException.check(
        Files.isDirectory(existing),
        "%s %s cannot be written: %s is a file, not a directory",
        what,
        target,
        existing);
    try {
      Files.delete(Files.createTempFile(existing, STAGING_PREFIX + "probe-", ""));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + what + " " + target, e);
    }
  }

  /**
   * Deletes the temporary siblings {@code .tmp-<name>-*} of {@code target} that no process holds:
   * what a process killed while staging {@code target} left behind. A sibling in use (its lock
   * held) is kept, and so is anything that cannot be deleted.
   */
  public static void removeStaleStaging(Path target) {
    Path parent = target.toAbsolutePath().normalize().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return;
    }
    String glob = STAGING_PREFIX + target.getFileName() + "-*";
    try (DirectoryStream<Path> siblings = Files.newDirectoryStream(parent, glob)) {
      for (Path sibling : siblings) {
        if (isAbandoned(sibling)) {
          deleteTree(sibling);
        }
      }
    } catch (IOException e) {
      // Leftovers are harmless: the write itself does not depend on their removal.
    }
  }

  /**
   * A TensorFlow failure to write files (such as {@code Session.save} on a full disk) as an {@link
   * IOException} whose message is TensorFlow's first line, without the hints it appends: a full
   * disk surfaces as {@code RESOURCE_EXHAUSTED}, whose hint about tensor allocations misleads.
   */
  public static IOException nativeWriteFailure(RuntimeException e) {
    String message = String.valueOf(e.getMessage()).strip();
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    int hint = message.indexOf("Hint:");
    if (hint >= 0) {
      message = message.substring(0, hint).strip();
    }
    // TensorFlow writes "<temporary file>; <reason>": the reason is what the user needs.
    int reason = message.lastIndexOf("; ");
    if (message.startsWith("/") && reason > 0) {
      message = message.substring(reason + 2);
    }
    return new IOException(message, e);
  }

  /** Deletes a file, or a directory and everything in it. */
  public static void deleteTree(Path path) throws IOException {
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static boolean isAbandoned(Path sibling) throws IOException {
    if (Files.isSymbolicLink(sibling)) {
      return false;
    }
    Path lockFile =
        Files.isDirectory(sibling, LinkOption.NOFOLLOW_LINKS)
            ? sibling.resolve(STAGING_LOCK)
            : sibling;
    if (!Files.exists(lockFile)) {
      FileTime modified = Files.getLastModifiedTime(sibling);
      return modified.toInstant().isBefore(Instant.now().minus(UNLOCKED_GRACE));
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return false;
      }
      lock.release();
      return true;
    } catch (OverlappingFileLockException e) {
      return false; // held by this very process
    }
  }

  private static String linkTarget(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "(unreadable)";
    }
  }
}
