package dev.metaplastic.train;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.TrainingRun;
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
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory of training checkpoints, written atomically.
 *
 * <p>Each checkpoint is a directory {@code ckpt-<steps>-<task>-<epoch>-<offset>} holding the
 * TensorFlow variables ({@code variables.index}, {@code variables.data-*}) and {@code run.pbtxt}
 * (manifest, settings and position in the stream). It is written under a temporary name, flushed to
 * disk, and renamed into place; then the file {@code LATEST} is replaced, again by an atomic
 * rename. A process killed at any moment leaves {@code LATEST} naming a complete checkpoint. Only
 * the newest {@value #KEEP} checkpoints are kept.
 */
public final class Checkpoints {
  /** Checkpoints kept after each save. */
  public static final int KEEP = 2;

  static final String LATEST = "LATEST";
  static final String RUN_FILE = "run.pbtxt";
  static final String VARIABLES = "variables";
  private static final String PREFIX = "ckpt-";
  private static final String TEMP_PREFIX = ".tmp-";

  private final Path root;

  /** A checkpoint store in {@code root}, created on the first save. */
  public Checkpoints(Path root) {
    this.root = root;
  }

  /** The directory holding the checkpoints. */
  public Path root() {
    return root;
  }

  /** Saves the model's variables and the run's state as a new checkpoint; returns its directory. */
  public Path save(ModelSession model, TrainingRun run) {
    String name =
        String.format(
            "%s%09d-%d-%d-%d",
            PREFIX, run.getSteps(), run.getTask(), run.getEpoch(), run.getOffset());
    try {
      Files.createDirectories(root);
      removeTemporaries();
      Path temp = Files.createTempDirectory(root, TEMP_PREFIX + name + "-");
      model.session().save(temp.resolve(VARIABLES).toString());
      Files.writeString(temp.resolve(RUN_FILE), Manifests.toText(run), StandardCharsets.UTF_8);
      try (Stream<Path> files = Files.list(temp)) {
        for (Path file : files.toList()) {
          force(file);
        }
      }
      force(temp);
      Path target = root.resolve(name);
      if (Files.exists(target)) {
        deleteTree(target);
      }
      move(temp, target);
      Path pointer = root.resolve(TEMP_PREFIX + LATEST);
      Files.writeString(pointer, name + "\n", StandardCharsets.UTF_8);
      force(pointer);
      move(pointer, root.resolve(LATEST));
      force(root);
      pruneOlderThan(name);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint in " + root, e);
    }
  }

  /** The checkpoint {@code LATEST} names, if any. */
  public Optional<Path> latest() {
    Path pointer = root.resolve(LATEST);
    if (!Files.isRegularFile(pointer)) {
      return Optional.empty();
    }
    try {
      String name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
      Path checkpoint = root.resolve(name);
      checkArgument(
          name.startsWith(PREFIX) && Files.isDirectory(checkpoint),
          "%s names checkpoint '%s', which does not exist",
          pointer,
          name);
      return Optional.of(checkpoint);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pointer, e);
    }
  }

  /**
   * Resolves a directory given by a user: a checkpoint itself, or a checkpoint store whose latest
   * checkpoint is taken.
   *
   * @throws IllegalArgumentException if it is neither
   */
  public static Path resolve(Path dir) {
    checkArgument(Files.isDirectory(dir), "checkpoint directory %s does not exist", dir);
    if (Files.isRegularFile(dir.resolve(RUN_FILE))) {
      return dir;
    }
    return new Checkpoints(dir)
        .latest()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    dir + " holds no checkpoint (no " + LATEST + " file and no " + RUN_FILE + ")"));
  }

  /** Reads the run state of a checkpoint. */
  public static TrainingRun readRun(Path checkpoint) {
    Path file = checkpoint.resolve(RUN_FILE);
    checkArgument(Files.isRegularFile(file), "%s is not a checkpoint: no %s", checkpoint, RUN_FILE);
    try {
      TrainingRun.Builder run = TrainingRun.newBuilder();
      Manifests.parse(Files.readString(file, StandardCharsets.UTF_8), run, file.toString());
      Manifests.checkVersion(run.getManifest().getFormatVersion(), file.toString());
      return run.build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Restores a checkpoint's variables into {@code model}, which must have the same graph. */
  public static void restore(ModelSession model, Path checkpoint) {
    Path index = checkpoint.resolve(VARIABLES + ".index");
    checkArgument(Files.isRegularFile(index), "%s is not a checkpoint: no %s", checkpoint, index);
    try {
      model.session().restore(checkpoint.resolve(VARIABLES).toString());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot restore checkpoint " + checkpoint + ": " + e.getMessage(), e);
    }
  }

  private void pruneOlderThan(String newest) throws IOException {
    List<Path> checkpoints = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, PREFIX + "*")) {
      dirs.forEach(checkpoints::add);
    }
    checkpoints.removeIf(p -> p.getFileName().toString().equals(newest));
    checkpoints.sort(Comparator.comparing(p -> p.getFileName().toString()));
    // Keep the newest and the KEEP - 1 latest others; names sort by step count.
    for (Path p : checkpoints.subList(0, Math.max(0, checkpoints.size() - (KEEP - 1)))) {
      deleteTree(p);
    }
  }

  private void removeTemporaries() throws IOException {
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(root, TEMP_PREFIX + PREFIX + "*")) {
      for (Path temp : temps) {
        deleteTree(temp);
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

  /** Deletes a directory and everything in it. */
  public static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
