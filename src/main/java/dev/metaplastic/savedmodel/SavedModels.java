package dev.metaplastic.savedmodel;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.graphs.StateEntries;
import dev.metaplastic.graphs.TrainingGraph;
import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.internal.DataStreams;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.internal.ModelSources;
import dev.metaplastic.interop.SavedModelInfo;
import dev.metaplastic.train.CheckpointRestore;
import dev.metaplastic.train.Checkpoints;
import dev.metaplastic.train.ModelSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Exports a {@link ModelSession} as a SavedModel and loads it back to keep learning.
 *
 * <pre>{@code
 * SavedModels.export(model, StreamDescription.of(stream), dir);
 * try (LoadedModel loaded = SavedModels.load(dir)) {
 *   trainer.trainTask(loaded.model(), stream, next); // learning goes on where it stopped
 * }
 * }</pre>
 *
 * <p>The SavedModel has tag {@code serve} and these signatures:
 *
 * <ul>
 *   <li>{@code serving_default}: inputs {@code x} float32 [-1, input] and, for multi-head models,
 *       {@code task} int32 [-1]; outputs {@code probabilities} and {@code logits} float32 [-1,
 *       classes];
 *   <li>{@code train_step}: inputs {@code x}, {@code y} int32 [-1] (class within the head) and
 *       {@code task}; outputs {@code loss} and {@code penalty} float32 scalars; runs one optimizer
 *       step and every rule's accumulation;
 *   <li>{@code consolidate}: no input; output {@code tasks_consolidated} int32 scalar; runs every
 *       rule's task-boundary update;
 *   <li>{@code evaluate}: inputs {@code x}, {@code y}, {@code task}; outputs {@code accuracy} and
 *       {@code correct} float32 scalars;
 *   <li>{@code consolidate_with_data}: inputs {@code x}, {@code y}, {@code task} and {@code seed}
 *       int64 scalar; output {@code tasks_consolidated}; every rule that estimates importance from
 *       data (EWC, online EWC, MAS, GPM) estimates it on the batch (example i sampling with seed
 *       (seed, i)), then every rule's task-boundary update runs, as Java's trainer does at a
 *       boundary;
 *   <li>{@code state}: no input; one output per variable, by its contract name (weights, optimizer
 *       slots, rule state and the counter {@code tasks_consolidated});
 *   <li>{@code save}: input {@code directory} string scalar, a copy of this SavedModel; writes
 *       every variable to {@code directory/variables/} and the current counters into its manifest,
 *       so that state trained from Python loads in Java; output {@code directory}.
 * </ul>
 *
 * <p>Every signature that takes {@code task} fails with an assertion if a task id is outside [0,
 * heads).
 *
 * <p>A model imported from another SavedModel (one whose graph has a {@link
 * TrainingGraph#source()}, such as {@code KerasImport.load(dir).open(...)}) is exported as a
 * drop-in replacement for its source: {@code serving_default} then has the source's input key,
 * shape and output key and meaning (such as {@code input_1} float32 [-1, 28, 28] → {@code dense_2}
 * probabilities), and the {@code x}-input signature above is exported as {@value #PREDICT_KEY}; the
 * manifest records the source.
 *
 * <p>Every variable is saved under its contract name: weights {@code dense_0/kernel}, optimizer
 * slots {@code adam/dense_0/kernel/m}, rule state {@code si/dense_0/kernel/importance}. The
 * manifest {@code assets/metaplastic.pbtxt} says which is which. Plastic RNNs, trained on episodes,
 * are exported and loaded by {@link EpisodeModels}, with the same conventions.
 */
public final class SavedModels {
  /**
   * Method name of every signature: TensorFlow Serving's Predict API accepts only signatures that
   * declare it, and it imposes nothing on their inputs and outputs.
   */
  static final String PREDICT_METHOD = "tensorflow/serving/predict";

  /**
   * Key of the {@code x}-input inference signature in the export of an imported model, whose {@code
   * serving_default} keeps the source's interface.
   */
  public static final String PREDICT_KEY = "predict";

  /** Key of the signature that estimates importance on a batch, then consolidates. */
  public static final String CONSOLIDATE_WITH_DATA = "consolidate_with_data";

  /** Key of the signature that reads every variable by its contract name. */
  public static final String STATE = "state";

  /** Key of the signature that writes every variable and the manifest's counters. */
  public static final String SAVE = "save";

  /** Path of the manifest inside a SavedModel directory. */
  public static final String MANIFEST = "assets/metaplastic.pbtxt";

  private SavedModels() {}

  /**
   * Writes {@code model} as a SavedModel in {@code dir}, which must not exist yet or be an empty
   * directory. The directory appears complete or not at all: the export goes to a temporary sibling
   * renamed at the end ({@link StagedDirectory}). A model with a source is written as a drop-in
   * replacement for it (see the class comment).
   *
   * @param stream the data stream the model was trained on, recorded in the manifest
   * @return what the manifest written says
   * @throws IllegalArgumentException if {@code dir} is a file or a non-empty directory
   */
  public static ModelDescription export(ModelSession model, StreamDescription stream, Path dir) {
    return ModelDescription.of(export(model, DataStreams.toProto(stream), dir));
  }

  private static Manifest export(ModelSession model, DataStream stream, Path dir) {
    TrainingGraph g = model.graph();
    Manifest manifest = Manifests.describe(g, model.tasksConsolidated(), stream);
    write(dir, model.session(), signatures(g, model.session()), manifest);
    return manifest;
  }

  /**
   * Exports a session's graph and variables with the given signatures and manifest as a SavedModel
   * in {@code dir}, atomically.
   */
  static void write(
      Path dir, Session session, List<SessionFunction> signatures, Manifest manifest) {
    try (StagedDirectory staged = StagedDirectory.create(dir)) {
      Path out = staged.path();
      try {
        SavedModelBundle.exporter(out.toString())
            .withTags(SavedModelBundle.DEFAULT_TAG)
            .withSession(session)
            .withFunctions(signatures.toArray(new SessionFunction[0]))
            .export();
      } catch (TensorFlowException e) {
        throw Outputs.nativeWriteFailure(e);
      }
      Path manifestFile = out.resolve(MANIFEST);
      Files.createDirectories(manifestFile.getParent());
      Files.writeString(manifestFile, Manifests.toText(manifest), StandardCharsets.UTF_8);
      staged.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export SavedModel to " + dir.toAbsolutePath(), e);
    }
  }

  /**
   * Exports the model saved in a training checkpoint (see {@link Checkpoints#resolve}) as a
   * SavedModel in {@code dir}.
   */
  public static ModelDescription exportCheckpoint(Path checkpoint, Path dir) {
    StagedDirectory.checkTarget(dir, "SavedModel directory");
    Outputs.checkWritable(dir, "SavedModel directory");
    try (ModelSession model = Checkpoints.open(checkpoint)) {
      return export(model, Checkpoints.read(checkpoint).stream(), dir);
    }
  }

  private static List<SessionFunction> signatures(TrainingGraph g, Session session) {
    List<SessionFunction> functions = new ArrayList<>();
    Source source = g.source();
    Signature.Builder serving =
        Signature.builder()
            .methodName(PREDICT_METHOD)
            .key(source == null ? Signature.DEFAULT_KEY : PREDICT_KEY)
            .input("x", g.x());
    Signature.Builder train =
        Signature.builder()
            .methodName(PREDICT_METHOD)
            .key("train_step")
            .input("x", g.x())
            .input("y", g.y());
    Signature.Builder evaluate =
        Signature.builder()
            .methodName(PREDICT_METHOD)
            .key("evaluate")
            .input("x", g.x())
            .input("y", g.y());
    if (g.task() != null) {
      serving.input("task", g.task());
      train.input("task", g.task());
      evaluate.input("task", g.task());
    }
    serving.output("probabilities", g.probabilities()).output("logits", g.logits());
    train.output("loss", g.loss()).output("penalty", g.stepPenalty());
    evaluate.output("accuracy", g.accuracy()).output("correct", g.correct());
    Signature consolidate =
        Signature.builder()
            .methodName(PREDICT_METHOD)
            .key("consolidate")
            .output("tasks_consolidated", g.tasksConsolidated())
            .build();
    Signature.Builder withData =
        Signature.builder()
            .methodName(PREDICT_METHOD)
            .key(CONSOLIDATE_WITH_DATA)
            .input("x", g.x())
            .input("y", g.y());
    if (g.task() != null) {
      withData.input("task", g.task());
    }
    withData.input("seed", g.estimateSeed()).output("tasks_consolidated", g.consolidatedWithData());
    List<Signature> all =
        new ArrayList<>(
            List.of(
                serving.build(), train.build(), consolidate, evaluate.build(), withData.build()));
    all.addAll(stateSignatures(g.state()));
    if (source != null) {
      all.add(
          Signature.builder()
              .methodName(PREDICT_METHOD)
              .key(Signature.DEFAULT_KEY)
              .input(source.getInputName(), g.servingInput())
              .output(source.getOutputName(), g.servingOutput())
              .build());
    }
    for (Signature s : all) {
      functions.add(SessionFunction.create(s, session));
    }
    return functions;
  }

  /** The {@code state} and {@code save} signatures of a graph's {@link StateEntries}. */
  static List<Signature> stateSignatures(StateEntries entries) {
    Signature.Builder state = Signature.builder().methodName(PREDICT_METHOD).key(STATE);
    entries.reads().forEach(state::output);
    Signature save =
        Signature.builder()
            .methodName(PREDICT_METHOD)
            .key(SAVE)
            .input("directory", entries.directory())
            .output("directory", entries.saved())
            .build();
    return List.of(state.build(), save);
  }

  /**
   * Checks that a counter the manifest copies equals its variable.
   *
   * @throws InvalidInputException if they differ: the variables were written without the manifest,
   *     or the other way round
   */
  static void checkCounter(Path dir, String counter, long inManifest, long inVariables) {
    InvalidInputException.check(
        inManifest == inVariables,
        "SavedModel %s: its manifest says %s is %s but its variables say %s; variables and"
            + " manifest were not written together (write both with the save signature)",
        dir,
        counter,
        inManifest,
        inVariables);
  }

  /**
   * What the manifest of the Metaplastic SavedModel in {@code dir} says.
   *
   * @throws IllegalArgumentException if {@code dir} is not a SavedModel, not a Metaplastic one, or
   *     its manifest is unreadable
   */
  public static ModelDescription describe(Path dir) {
    return ModelDescription.of(ManifestFiles.read(dir));
  }

  /**
   * Loads a Metaplastic SavedModel into a new training graph, ready to predict and to keep
   * learning: the next training steps give exactly the losses and state of a run that was never
   * saved. Nothing on disk is modified.
   *
   * @throws IllegalArgumentException if the directory is not a Metaplastic SavedModel, if its graph
   *     lacks a variable the manifest names, or if its variables cannot be read
   */
  public static LoadedModel load(Path dir) {
    return load(dir, SessionOptions.DEFAULT);
  }

  /** As {@link #load(Path)}, in a session with {@code options} (threads). */
  public static LoadedModel load(Path dir, SessionOptions options) {
    Manifest manifest = ManifestFiles.read(dir);
    InvalidInputException.check(
        !Manifests.isPlasticRnn(manifest),
        "SavedModel %s holds a plastic RNN (model kind %s); load it with EpisodeModels.load",
        dir,
        Manifests.PLASTIC_RNN);
    SavedModelValidator.check(dir);
    ModelSession model;
    try {
      model =
          new ModelSession(
              Manifests.spec(manifest),
              Manifests.optimizer(manifest),
              Manifests.rules(manifest),
              ModelSources.of(Manifests.source(manifest)),
              options);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("SavedModel " + dir + ": " + e.getMessage(), e);
    }
    try {
      try {
        Manifests.checkMatches(manifest, model.graph());
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("SavedModel " + dir + ": " + e.getMessage(), e);
      }
      restoreVariables(
          dir,
          prefix ->
              CheckpointRestore.restore(model, prefix, Manifests.promisedVariables(manifest)));
      checkCounter(
          dir, "tasks_consolidated", manifest.getTasksConsolidated(), model.tasksConsolidated());
      return new LoadedModel(model, manifest);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Restores a SavedModel's variables into a session whose graph has the same variables, some of
   * them stored under other names.
   *
   * @param storedNames for each variable of the session's graph stored under another name, that
   *     name (see {@link Manifests#storedNames})
   */
  static void restoreVariables(Session session, Path dir, Map<String, String> storedNames) {
    restoreVariables(dir, prefix -> CheckpointRestore.restore(session, prefix, storedNames));
  }

  /** Restores a SavedModel's variables with {@code restore}, which takes the checkpoint prefix. */
  private static void restoreVariables(Path dir, Consumer<String> restore) {
    Path index = dir.resolve("variables/variables.index");
    InvalidInputException.check(Files.isRegularFile(index), "SavedModel %s has no %s", dir, index);
    try {
      restore.accept(dir.resolve("variables/variables").toString());
    } catch (InvalidInputException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidInputException(
          "cannot read the variables of SavedModel "
              + dir
              + ": "
              + SavedModelInfo.oneLine(e.getMessage()),
          e);
    }
  }
}
