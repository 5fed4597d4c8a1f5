package dev.metaplastic.files;

import dev.metaplastic.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * An exclusive lock on an output directory, held while one run writes it: the file {@code
 * .metaplastic-lock} in the directory, locked with {@link FileChannel#tryLock()} and holding the
 * holder's process id and start time. The operating system releases it when the process ends, even
 * by {@code kill -9}, so a lock is never stale; the file itself stays.
 */
public final class OutputLock implements AutoCloseable {
  /** Name of the lock file inside the locked directory. */
  public static final String FILE = ".metaplastic-lock";

  private final FileChannel channel;
  private final FileLock lock;

  private OutputLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code dir} if needed and locks it.
   *
   * @param what how messages name the directory, such as {@code checkpoint directory}
   * @throws InvalidInputException if another run holds the lock; the message names its process id
   *     and start time
   * @throws UncheckedIOException if the directory or the lock file cannot be created
   */
  public static OutputLock acquire(Path dir, String what) {
    Path file = dir.resolve(FILE);
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by another run in this process
      }
      if (lock == null) {
        throw new InvalidInputException(
            String.format(
                "%s %s is in use by another run (%s); wait for it to end or choose another"
                    + " directory",
                what, dir, holder(file)));
      }
      channel.truncate(0);
      ProcessHandle self = ProcessHandle.current();
      String started =
          self.info()
              .startInstant()
              .orElse(Instant.now())
              .truncatedTo(ChronoUnit.SECONDS)
              .toString();
      channel.write(
          ByteBuffer.wrap(
              ("pid " + self.pid() + ", started " + started + "\n")
                  .getBytes(StandardCharsets.UTF_8)));
      channel.force(false);
      return new OutputLock(channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot lock " + what + " " + dir, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /** Releases the lock. */
  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases it as well.
    }
    closeQuietly(channel);
  }

  private static String holder(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "holder unknown" : text;
    } catch (IOException e) {
      return "holder unknown";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing more to release.
      }
    }
  }
}
