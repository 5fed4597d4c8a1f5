package dev.metaplastic.train;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.TrainingRun;
import dev.metaplastic.internal.CheckpointFiles;
import dev.metaplastic.internal.DataStreams;
import dev.metaplastic.internal.ModelSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * A directory of training checkpoints, written atomically by {@link ContinualTrainer} ({@link
 * ContinualTrainer#withCheckpoints}).
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

  static final String LATEST = CheckpointFiles.LATEST;
  static final String RUN_FILE = CheckpointFiles.RUN_FILE;
  static final String VARIABLES = CheckpointFiles.VARIABLES;
  private static final String PREFIX = CheckpointFiles.PREFIX;

  private final Path root;

  /** A checkpoint store in {@code root}, created on the first save. */
  public Checkpoints(Path root) {
    this.root = root;
  }

  /** The directory holding the checkpoints. */
  public Path root() {
    return root;
  }

  /** The checkpoint {@code LATEST} names, if any. */
  public Optional<Path> latest() {
    Path pointer = root.resolve(LATEST);
    if (!Files.isRegularFile(pointer)) {
      return Optional.empty();
    }
    String name;
    try {
      name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(
          pointer + " is damaged: it is not UTF-8 text naming a checkpoint", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pointer, e);
    }
    InvalidInputException.check(
        name.startsWith(PREFIX) && !name.contains("/") && Files.isDirectory(root.resolve(name)),
        "%s names checkpoint '%s', which does not exist",
        pointer,
        name);
    return Optional.of(root.resolve(name));
  }

  /**
   * Resolves a directory given by a user: a checkpoint itself, or a checkpoint store whose latest
   * checkpoint is taken.
   *
   * @throws IllegalArgumentException if it is neither
   */
  public static Path resolve(Path dir) {
    InvalidInputException.check(
        Files.isDirectory(dir), "checkpoint directory %s does not exist", dir);
    if (Files.isRegularFile(dir.resolve(RUN_FILE))) {
      return dir;
    }
    return new Checkpoints(dir)
        .latest()
        .orElseThrow(
            () ->
                new InvalidInputException(
                    dir + " holds no checkpoint (no " + LATEST + " file and no " + RUN_FILE + ")"));
  }

  /**
   * The checkpoint directory a directory given by a user belongs to: its parent if it is a
   * checkpoint itself, otherwise the directory.
   *
   * @throws dev.metaplastic.InvalidInputException if it does not exist
   */
  public static Path storeOf(Path dir) {
    InvalidInputException.check(
        Files.isDirectory(dir), "checkpoint directory %s does not exist", dir);
    Path absolute = dir.toAbsolutePath().normalize();
    return Files.isRegularFile(absolute.resolve(RUN_FILE)) ? absolute.getParent() : absolute;
  }

  /**
   * What a checkpoint says about its run.
   *
   * @throws IllegalArgumentException if {@code checkpoint} is not a checkpoint or is damaged
   */
  public static SavedRun read(Path checkpoint) {
    TrainingRun run = readRun(checkpoint);
    Manifest manifest = run.getManifest();
    return new SavedRun(
        ContinualTrainer.configOf(run),
        DataStreams.of(manifest.getDataStream()),
        manifest.getTasksConsolidated(),
        run.getTask(),
        run.getEpoch(),
        run.getOffset(),
        run.getSteps());
  }

  /**
   * Opens a new model with the graph of a checkpoint's run and restores the checkpoint's variables
   * into it; the caller closes it.
   *
   * @throws IllegalArgumentException if {@code checkpoint} is not a checkpoint, is damaged, or its
   *     variables do not fit its manifest
   */
  public static ModelSession open(Path checkpoint) {
    Manifest manifest = readRun(checkpoint).getManifest();
    ModelSession model =
        new ModelSession(
            Manifests.spec(manifest),
            Manifests.optimizer(manifest),
            Manifests.rules(manifest),
            ModelSources.of(Manifests.source(manifest)));
    try {
      Manifests.checkMatches(manifest, model.graph());
      restore(model, checkpoint);
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Reads the run state of a checkpoint. */
  static TrainingRun readRun(Path checkpoint) {
    Path file = checkpoint.resolve(RUN_FILE);
    InvalidInputException.check(
        Files.isRegularFile(file), "%s is not a checkpoint: no %s", checkpoint, RUN_FILE);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(file + " is damaged: it is not UTF-8 text", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    TrainingRun.Builder builder = TrainingRun.newBuilder();
    InvalidInputException.validating(
        "",
        () -> {
          Manifests.parse(text, builder, file.toString());
          Manifests.checkVersion(builder.getManifest().getFormatVersion(), file.toString());
          return builder;
        });
    TrainingRun run = builder.build();
    checkRun(run, file.toString());
    return run;
  }

  /**
   * Checks what a run file says against itself: positive settings, a position inside the stream,
   * one accuracy row per finished task, and a model, optimizer and rules that can be built. A
   * damaged or hand-edited file is refused here, before anything is built from it.
   */
  private static void checkRun(TrainingRun run, String file) {
    Manifest manifest = run.getManifest();
    int tasks = manifest.getDataStream().getTasks();
    InvalidInputException.check(
        run.getEpochs() > 0 && run.getBatchSize() > 0,
        "%s is damaged: it gives %s epochs and batch size %s, expected both at least 1",
        file,
        run.getEpochs(),
        run.getBatchSize());
    InvalidInputException.check(
        tasks > 0, "%s is damaged: its data stream has %s tasks, expected at least 1", file, tasks);
    InvalidInputException.check(
        run.getTask() >= 0 && run.getTask() <= tasks,
        "%s is damaged: it stands at task %s, but its data stream has tasks 0 to %s",
        file,
        run.getTask(),
        tasks - 1);
    InvalidInputException.check(
        run.getEpoch() >= 0 && run.getEpoch() <= run.getEpochs(),
        "%s is damaged: it stands at epoch %s, expected 0 to %s",
        file,
        run.getEpoch(),
        run.getEpochs());
    InvalidInputException.check(
        run.getOffset() >= 0 && run.getSteps() >= 0 && manifest.getTasksConsolidated() >= 0,
        "%s is damaged: offset %s, steps %s and tasks consolidated %s must not be negative",
        file,
        run.getOffset(),
        run.getSteps(),
        manifest.getTasksConsolidated());
    InvalidInputException.check(
        run.getAccuracyCount() == run.getTask(),
        "%s is damaged: it holds %s accuracy rows for %s finished tasks",
        file,
        run.getAccuracyCount(),
        run.getTask());
    for (int i = 0; i < run.getAccuracyCount(); i++) {
      List<Double> row = run.getAccuracy(i).getAccuracyList();
      InvalidInputException.check(
          row.size() == i + 1 && row.stream().allMatch(a -> a >= 0 && a <= 1),
          "%s is damaged: accuracy row %s is %s, expected %s accuracies in [0, 1]",
          file,
          i,
          row,
          i + 1);
    }
    InvalidInputException.validating(
        file,
        () ->
            List.of(
                Manifests.spec(manifest),
                Manifests.optimizer(manifest),
                Manifests.rules(manifest)));
  }

  /**
   * Restores a checkpoint's variables into {@code model}, which must have the same graph; rule
   * state a checkpoint of an earlier version lacks is derived ({@link CheckpointRestore}).
   */
  public static void restore(ModelSession model, Path checkpoint) {
    Path index = checkpoint.resolve(VARIABLES + ".index");
    InvalidInputException.check(
        Files.isRegularFile(index), "%s is not a checkpoint: no %s", checkpoint, index);
    try {
      CheckpointRestore.restore(
          model,
          checkpoint.resolve(VARIABLES).toString(),
          Manifests.promisedVariables(readRun(checkpoint).getManifest()));
    } catch (TensorFlowException e) {
      throw new InvalidInputException(
          "cannot restore checkpoint " + checkpoint + ": " + e.getMessage(), e);
    }
  }
}
