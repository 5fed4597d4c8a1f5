package dev.metaplastic.internal;

import dev.metaplastic.files.Outputs;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.TrainingRun;
import dev.metaplastic.train.Checkpoints;
import dev.metaplastic.train.ModelSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Writes a training checkpoint of the layout {@link Checkpoints} reads, from the {@code
 * TrainingRun} message it stores; {@code ContinualTrainer} writes its runs' checkpoints here, and
 * tests that check the files themselves may too. Not part of the API.
 */
public final class CheckpointFiles {
  /** The file naming the latest complete checkpoint. */
  public static final String LATEST = "LATEST";

  /** A checkpoint's run state: manifest, settings and position in the stream, as text. */
  public static final String RUN_FILE = "run.pbtxt";

  /** The prefix of a checkpoint's TensorFlow variable files. */
  public static final String VARIABLES = "variables";

  /** The prefix of a checkpoint's directory name. */
  public static final String PREFIX = "ckpt-";

  private static final String TEMP_PREFIX = ".tmp-";

  private CheckpointFiles() {}

  /**
   * Saves the model's variables and the run's state as a new checkpoint in {@code root}, created if
   * need be; returns its directory. The newest {@link Checkpoints#KEEP} checkpoints are kept.
   */
  public static Path save(Path root, ModelSession model, TrainingRun run) {
    String name =
        String.format(
            "%s%09d-%d-%d-%d",
            PREFIX, run.getSteps(), run.getTask(), run.getEpoch(), run.getOffset());
    Path temp = null;
    Path pointer = root.resolve(TEMP_PREFIX + LATEST);
    try {
      Files.createDirectories(root);
      removeTemporaries(root);
      temp = Files.createTempDirectory(root, TEMP_PREFIX + name + "-");
      try {
        model.session().save(temp.resolve(VARIABLES).toString());
      } catch (TensorFlowException e) {
        throw Outputs.nativeWriteFailure(e);
      }
      Files.writeString(temp.resolve(RUN_FILE), Manifests.toText(run), StandardCharsets.UTF_8);
      try (Stream<Path> files = Files.list(temp)) {
        for (Path file : files.toList()) {
          force(file);
        }
      }
      force(temp);
      Path target = root.resolve(name);
      if (Files.exists(target)) {
        Outputs.deleteTree(target);
      }
      move(temp, target);
      Files.writeString(pointer, name + "\n", StandardCharsets.UTF_8);
      force(pointer);
      move(pointer, root.resolve(LATEST));
      force(root);
      pruneOlderThan(root, name);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint in " + root, e);
    } finally {
      removeQuietly(temp);
      removeQuietly(pointer);
    }
  }

  /** Removes what a failed save left, if anything; a leftover is removed by the next save. */
  private static void removeQuietly(Path path) {
    if (path != null && Files.exists(path)) {
      try {
        Outputs.deleteTree(path);
      } catch (IOException e) {
        // removeTemporaries() takes it at the next save.
      }
    }
  }

  private static void pruneOlderThan(Path root, String newest) throws IOException {
    List<Path> checkpoints = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
      dirs.forEach(checkpoints::add);
    }
    checkpoints.removeIf(p -> p.getFileName().toString().equals(newest));
    checkpoints.sort(Comparator.comparing(p -> p.getFileName().toString()));
    // Keep the newest and the KEEP - 1 latest others; names sort by step count.
    for (Path p :
        checkpoints.subList(0, Math.max(0, checkpoints.size() - (Checkpoints.KEEP - 1)))) {
      Outputs.deleteTree(p);
    }
  }

  private static void removeTemporaries(Path root) throws IOException {
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(root, TEMP_PREFIX + PREFIX + "*")) {
      for (Path temp : temps) {
        Outputs.deleteTree(temp);
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + to + " cannot rename atomically", e);
    }
  }

  private static void force(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
