package dev.metaplastic.savedmodel;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.graphs.EpisodeTrainingGraph;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.PlasticRnnSpec;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.graphs.proto.EpisodeTraining;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.train.EpisodeSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;

/**
 * Exports a trained plastic RNN ({@link EpisodeSession}) as a SavedModel and loads it back to keep
 * training.
 *
 * <p>The SavedModel has tag {@code serve} and these signatures (H hidden units, T steps):
 *
 * <ul>
 *   <li>{@code serving_default}: one step of the cell. Inputs {@code x} float32 [-1, input], {@code
 *       state} [-1, H] and, unless the plasticity is {@code none}, {@code trace} [-1, H, H];
 *       outputs {@code logits} [-1, output], {@code state} and {@code trace} after the step. An
 *       episode starts from a zero state and a zero trace; feeding each step's state and trace to
 *       the next gives the logits of {@code predict_episode}.
 *   <li>{@code predict_episode}: input {@code inputs} [-1, T, input]; output {@code logits} [-1, T,
 *       output].
 *   <li>{@code train_episode}: inputs {@code inputs}, {@code targets} [-1, T, output] and {@code
 *       mask} [-1, T]; outputs {@code loss} (before the step) and {@code gradient_norm} (before
 *       clipping), float32 scalars; runs one optimizer step.
 *   <li>{@code evaluate_episode}: the same inputs; outputs {@code loss} and {@code metric}
 *       (accuracy or mean squared error over scored steps);
 *   <li>{@code state} and {@code save}, as for MLPs ({@link SavedModels}).
 * </ul>
 *
 * <p>Every weight ({@code rnn/...}), learned plasticity coefficient ({@code
 * <rule>/rnn/recurrent_kernel/alpha}, ...), optimizer slot ({@code adam/rnn/bias/m}, ...) and the
 * counters {@code training_steps} and {@code episodes_trained} are saved variables. The manifest
 * {@code assets/metaplastic.pbtxt} (model kind {@code plastic_rnn}, format version 2, 3 or 5, see
 * {@link Manifests}) records the spec, the loss, the clip norm, the optimizer, the training so far
 * and the task. Files of format 4 and older that stored a rule's coefficients under another prefix
 * load with today's names ({@link Manifests#upgrade}).
 */
public final class EpisodeModels {
  /** Signature of one step, {@code serving_default}. */
  public static final String STEP = Signature.DEFAULT_KEY;

  /** Signature of a whole episode's logits. */
  public static final String PREDICT_EPISODE = "predict_episode";

  /** Signature of one optimizer step on a batch of episodes. */
  public static final String TRAIN_EPISODE = "train_episode";

  /** Signature of the loss and metric on a batch of episodes. */
  public static final String EVALUATE_EPISODE = "evaluate_episode";

  private EpisodeModels() {}

  /**
   * Writes {@code model} as a SavedModel in {@code dir}, which must not exist yet or be an empty
   * directory; the directory appears complete or not at all.
   *
   * @param task the episodic task it was trained on as the command line names it, such as {@code
   *     associative}
   * @param taskDescription the task in words
   * @return what the manifest written says
   * @throws IllegalArgumentException if {@code dir} is a file or a non-empty directory
   */
  public static ModelDescription export(
      EpisodeSession model, String task, String taskDescription, Path dir) {
    checkNotNull(model, "model must not be null");
    checkNotNull(task, "task must not be null");
    checkNotNull(taskDescription, "taskDescription must not be null");
    checkNotNull(dir, "dir must not be null");
    StagedDirectory.checkTarget(dir.toAbsolutePath().normalize());
    EpisodeTrainingGraph g = model.training();
    Manifest manifest =
        Manifests.describe(
            g, model.trainingSteps(), model.episodesTrained(), task, taskDescription);
    SavedModels.write(dir, model.session(), signatures(g, model.session()), manifest);
    return ModelDescription.of(manifest);
  }

  private static List<SessionFunction> signatures(EpisodeTrainingGraph g, Session session) {
    Signature.Builder step =
        Signature.builder()
            .methodName(SavedModels.PREDICT_METHOD)
            .key(STEP)
            .input("x", g.stepInput())
            .input("state", g.stepState())
            .output("logits", g.stepLogits())
            .output("state", g.nextState());
    if (g.spec().carriesTrace()) {
      step.input("trace", g.stepTrace()).output("trace", g.nextTrace());
    }
    Signature predict =
        Signature.builder()
            .methodName(SavedModels.PREDICT_METHOD)
            .key(PREDICT_EPISODE)
            .input("inputs", g.inputs())
            .output("logits", g.logits())
            .build();
    Signature train =
        episodeInputs(g, TRAIN_EPISODE)
            .output("loss", g.trainLoss())
            .output("gradient_norm", g.gradientNorm())
            .build();
    Signature evaluate =
        episodeInputs(g, EVALUATE_EPISODE)
            .output("loss", g.evaluateLoss())
            .output("metric", g.metric())
            .build();
    List<SessionFunction> functions = new ArrayList<>();
    List<Signature> all = new ArrayList<>(List.of(step.build(), predict, train, evaluate));
    all.addAll(SavedModels.stateSignatures(g.state()));
    for (Signature s : all) {
      functions.add(SessionFunction.create(s, session));
    }
    return functions;
  }

  private static Signature.Builder episodeInputs(EpisodeTrainingGraph g, String key) {
    return Signature.builder()
        .methodName(SavedModels.PREDICT_METHOD)
        .key(key)
        .input("inputs", g.inputs())
        .input("targets", g.targets())
        .input("mask", g.mask());
  }

  /**
   * Loads a plastic RNN SavedModel into a new episode training graph, ready to predict and to keep
   * training: the next training steps give exactly the losses and variables of a run that was never
   * saved. Nothing on disk is modified.
   *
   * @throws IllegalArgumentException if the directory is not a Metaplastic SavedModel of a plastic
   *     RNN, if its manifest is unreadable or names a variable the graph lacks, or if its variables
   *     cannot be read
   */
  public static LoadedEpisodeModel load(Path dir) {
    return load(dir, SessionOptions.DEFAULT);
  }

  /** As {@link #load(Path)}, in a session with {@code options} (threads). */
  public static LoadedEpisodeModel load(Path dir, SessionOptions options) {
    checkNotNull(dir, "dir must not be null");
    Manifest stored = ManifestFiles.read(dir);
    InvalidInputException.check(
        Manifests.isPlasticRnn(stored),
        "SavedModel %s holds a model of kind '%s', not a plastic RNN; load it with"
            + " SavedModels.load",
        dir,
        stored.getModel().getKind());
    SavedModelValidator.check(dir);
    EpisodeSession model;
    Manifest manifest;
    try {
      manifest = Manifests.upgrade(stored);
      PlasticRnnSpec spec = Manifests.plasticRnnSpec(manifest);
      model =
          new EpisodeSession(
              spec,
              Manifests.optimizer(manifest),
              Manifests.episodeLoss(manifest),
              Manifests.clipNorm(manifest),
              options);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("SavedModel " + dir + ": " + e.getMessage(), e);
    }
    try {
      try {
        Manifests.checkMatches(manifest, model.training());
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("SavedModel " + dir + ": " + e.getMessage(), e);
      }
      SavedModels.restoreVariables(model.session(), dir, Manifests.storedNames(stored));
      EpisodeTraining training = manifest.getEpisodeTraining();
      SavedModels.checkCounter(
          dir, "training_steps", training.getTrainingSteps(), model.trainingSteps());
      SavedModels.checkCounter(
          dir, "episodes_trained", training.getEpisodesTrained(), model.episodesTrained());
      return new LoadedEpisodeModel(model, ModelDescription.of(manifest));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
