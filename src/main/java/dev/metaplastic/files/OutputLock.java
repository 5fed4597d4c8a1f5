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
import java.util.HashMap;
import java.util.Map;

/**
 * An exclusive lock on an output directory, held while one run writes it: the file {@code
 * .metaplastic-lock} in the directory, locked with {@link FileChannel#tryLock()} and holding the
 * holder's process id and start time. The operating system releases it when the process ends, even
 * by {@code kill -9}, so a lock is never stale; the file itself stays.
 *
 * <p>Within one process the lock is reentrant for the thread that holds it (a command may lock a
 * directory and call a library method that locks it again) and exclusive against other threads.
 */
public final class OutputLock implements AutoCloseable {
  /** Name of the lock file inside the locked directory. */
  public static final String FILE = ".metaplastic-lock";

  /** The locks this process holds, by directory, with their holding thread and depth. */
  private static final Map<Path, OutputLock> HELD = new HashMap<>();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;
  private final Thread owner = Thread.currentThread();
  private int depth = 1;

  private OutputLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
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
    Path key = dir.toAbsolutePath().normalize();
    synchronized (HELD) {
      OutputLock held = HELD.get(key);
      if (held != null && held.owner == Thread.currentThread()) {
        held.depth++;
        return held;
      }
      OutputLock lock = lock(key, dir, what);
      HELD.put(key, lock);
      return lock;
    }
  }

  private static OutputLock lock(Path key, Path dir, String what) {
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
      return new OutputLock(key, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("cannot lock " + what + " " + dir, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /** Releases the lock, once every holder in this thread has closed it. */
  @Override
  public void close() {
    synchronized (HELD) {
      if (--depth > 0) {
        return;
      }
      HELD.remove(dir);
    }
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
