package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.experiments.report.Charts;
import dev.metaplastic.experiments.report.Tables;
import dev.metaplastic.files.OutputLock;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.graphs.proto.TrainingRun;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.Checkpoints;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.TrainerConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic train}: one continual-learning run with a chosen stream, rule and settings;
 * checkpoints as it goes, can resume from one, and can export the final model as a SavedModel.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a sequence of tasks and report the accuracy matrix.")
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StreamOptions streamOptions;
  @Mixin TrainingOptions training;
  @Mixin ProgressOptions progress;

  @Option(
      names = "--rule",
      defaultValue = "si",
      completionCandidates = RuleOptions.Names.class,
      description =
          "Consolidation rule: none (fine-tuning) or one of ${COMPLETION-CANDIDATES}; rules joined"
              + " with + share the graph (such as ewc+neuromod-lr). Default: ${DEFAULT-VALUE}.")
  String rule;

  @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--out",
      defaultValue = "out/train",
      description =
          "Output directory: plots, and checkpoints in OUT/checkpoints. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--checkpoint-every",
      defaultValue = "200",
      description =
          "Save a checkpoint every N steps (0: only at task boundaries). Default: ${DEFAULT-VALUE}.")
  int checkpointEvery;

  @Option(
      names = "--resume",
      paramLabel = "DIR",
      description =
          "Resume the run saved in DIR (a checkpoint, or a checkpoint directory whose latest"
              + " checkpoint is taken); its settings replace the other options, and it refuses"
              + " data other than the run's (--data-dir points to that data if it moved).")
  Path resume;

  @Option(
      names = "--export",
      paramLabel = "DIR",
      description = "Export the final model as a SavedModel in DIR (must not exist).")
  Path export;

  @Option(
      names = "--init",
      paramLabel = "DIR",
      description =
          "Start from the Metaplastic SavedModel in DIR (exported or imported) instead of new"
              + " weights; its architecture, optimizer and rules replace --hidden, --optimizer,"
              + " --lr and --rule.")
  Path init;

  @Option(names = "--joint", description = "Also train the joint-training upper bound.")
  boolean joint;

  /** What a run produced, whichever way it started. */
  private record Outcome(
      AccuracyMatrix matrix,
      String method,
      Path store,
      StreamOptions.Opened opened,
      TrainerConfig config) {}

  @Override
  public Integer call() {
    PrintWriter pw = spec.commandLine().getOut();
    checkOutputs();
    Outcome run = resume != null ? resumeRun(pw) : startRun(pw);
    Tables.printMatrix(pw, "Test accuracy after each task (" + run.method() + ")", run.matrix());
    if (joint) {
      double[] bound =
          new ContinualTrainer(run.config().withRules(List.of()), progress.listener("joint"))
              .trainJointly(run.opened().stream());
      pw.printf(
          "joint training (upper bound): average accuracy %.4f%n",
          Arrays.stream(bound).average().orElse(Double.NaN));
    }
    Path plot = out.resolve("accuracy-" + run.method() + ".png");
    Charts.plotPerTask(plot, run.opened().stream().name() + " — " + run.method(), run.matrix());
    pw.printf("plot written to %s; checkpoints in %s%n", plot, run.store());
    if (export != null) {
      SavedModels.exportCheckpoint(Checkpoints.resolve(run.store()), export);
      pw.printf("SavedModel written to %s%n", export);
    }
    return 0;
  }

  /**
   * Checks, before any training, that every output can be written: {@code --out} is a directory or
   * can become one, {@code --export} does not exist yet, and both file systems take a write.
   */
  private void checkOutputs() {
    Outputs.checkWritable(out, "--out");
    InvalidInputException.check(
        !Files.exists(out) || Files.isDirectory(out), "--out %s is a file; give a directory", out);
    if (export != null) {
      InvalidInputException.check(
          !Files.exists(export, LinkOption.NOFOLLOW_LINKS),
          "--export %s already exists; export into a new directory",
          export);
      Outputs.checkWritable(export, "--export");
    }
  }

  /**
   * Resumes the run saved in {@code --resume}; its settings replace the other options. Its
   * checkpoint directory is locked before the checkpoint is read, so no other run can write or
   * prune it meanwhile.
   */
  @SuppressWarnings("try") // the lock is held, not used, in the block
  private Outcome resumeRun(PrintWriter pw) {
    try (OutputLock lock =
        OutputLock.acquire(Checkpoints.storeOf(resume), "checkpoint directory")) {
      return resumeLocked(pw);
    }
  }

  private Outcome resumeLocked(PrintWriter pw) {
    Path checkpoint = Checkpoints.resolve(resume);
    TrainingRun saved = Checkpoints.readRun(checkpoint);
    Manifest manifest = saved.getManifest();
    StreamOptions.Opened opened =
        StreamOptions.open(
            manifest.getDataStream().getKind(),
            streamOptions.dataDir != null ? streamOptions.dataDir : dataDirOf(manifest),
            manifest.getDataStream().getTasks(),
            manifest.getDataStream().getSeed());
    TrainerConfig config = ContinualTrainer.configOf(saved);
    pw.printf(
        "resuming %s at task %d, epoch %d, step %d of the run%n",
        checkpoint, saved.getTask(), saved.getEpoch() + 1, saved.getSteps());
    pw.flush();
    AccuracyMatrix matrix =
        ContinualTrainer.resume(
            checkpoint, opened.stream(), progress.listener(config.methodName()), checkpointEvery);
    return new Outcome(matrix, config.methodName(), checkpoint.getParent(), opened, config);
  }

  /** Starts a run from new weights, or from the SavedModel named by {@code --init}. */
  private Outcome startRun(PrintWriter pw) {
    List<RuleConfig> rules = training.rule.rules(rule, streamOptions.stream, training.binarized);
    TrainerConfig config = training.trainerConfig(rules, seed);
    StreamOptions.Opened opened = streamOptions.open(seed, pw);
    TaskStream stream = opened.stream();
    Path store = out.resolve("checkpoints");
    pw.printf(
        "stream %s from %s: %d tasks%n", stream.name(), stream.source(), stream.tasks().size());
    if (init == null) {
      pw.printf(
          "model %s; %s; %s%n",
          config.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead()).describe(),
          config.optimizer(),
          rules.isEmpty() ? "fine-tuning (no rule)" : rules.get(0));
      pw.flush();
      AccuracyMatrix matrix =
          new ContinualTrainer(config, progress.listener(config.methodName()))
              .withCheckpoints(new Checkpoints(store), checkpointEvery)
              .run(stream, opened.descriptor());
      return new Outcome(matrix, config.methodName(), store, opened, config);
    }
    try (LoadedModel loaded = SavedModels.load(init)) {
      Manifest manifest = loaded.manifest();
      TrainerConfig fromModel =
          new TrainerConfig(
              manifest.getModel().getHiddenList(),
              training.epochs,
              training.batch,
              Manifests.optimizer(manifest),
              Manifests.rules(manifest),
              seed);
      pw.printf(
          "starting from %s: %s, %d tasks consolidated, %s, rules %s%n",
          init,
          loaded.model().spec().describe(),
          manifest.getTasksConsolidated(),
          fromModel.optimizer(),
          fromModel.rules());
      pw.flush();
      AccuracyMatrix matrix =
          new ContinualTrainer(fromModel, progress.listener(fromModel.methodName()))
              .withCheckpoints(new Checkpoints(store), checkpointEvery)
              .run(loaded.model(), stream, opened.descriptor());
      return new Outcome(matrix, fromModel.methodName(), store, opened, fromModel);
    }
  }

  /**
   * The data directory a run was trained from: its absolute path when the checkpoint records it,
   * otherwise the source of a Fashion-MNIST stream as it was given.
   */
  private static Path dataDirOf(Manifest manifest) {
    DataStream data = manifest.getDataStream();
    if (data.getKind().equals("generated")) {
      return null;
    }
    return Path.of(data.getDirectory().isEmpty() ? data.getSource() : data.getDirectory());
  }
}
