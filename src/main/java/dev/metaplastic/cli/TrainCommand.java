package dev.metaplastic.cli;

import dev.metaplastic.data.TaskStream;
import dev.metaplastic.experiments.report.Charts;
import dev.metaplastic.experiments.report.Tables;
import dev.metaplastic.files.OutputLock;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.Checkpoints;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.SavedRun;
import dev.metaplastic.train.TrainerConfig;
import java.io.PrintWriter;
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
  @Mixin TrainOutputOptions outputs;
  @Mixin StartOptions start;

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

  @Option(names = "--joint", description = "Also train the joint-training upper bound.")
  boolean joint;

  /** What a run produced, whichever way it started. */
  private record Outcome(
      AccuracyMatrix matrix, Path store, StreamOptions.Opened opened, TrainerConfig config) {
    String method() {
      return config.methodName();
    }
  }

  @Override
  public Integer call() {
    PrintWriter pw = spec.commandLine().getOut();
    outputs.check();
    Outcome run = start.resume != null ? resumeRun(pw) : startRun(pw);
    Tables.printMatrix(pw, "Test accuracy after each task (" + run.method() + ")", run.matrix());
    if (joint) {
      double[] bound =
          new ContinualTrainer(run.config().withRules(List.of()), progress.listener("joint"))
              .withSessionOptions(training.threads.sessionOptions())
              .trainJointly(run.opened().stream());
      pw.printf(
          "joint training (upper bound): average accuracy %.4f%n",
          Arrays.stream(bound).average().orElse(Double.NaN));
    }
    Path plot = outputs.out.resolve("accuracy-" + run.method() + ".png");
    Charts.plotPerTask(plot, run.opened().stream().name() + " — " + run.method(), run.matrix());
    pw.printf("plot written to %s; checkpoints in %s%n", plot, run.store());
    if (outputs.export != null) {
      SavedModels.exportCheckpoint(Checkpoints.resolve(run.store()), outputs.export);
      pw.printf("SavedModel written to %s%n", outputs.export);
    }
    return 0;
  }

  /**
   * Resumes the run saved in {@code --resume}; its settings replace the other options. Its
   * checkpoint directory is locked before the checkpoint is read, so no other run can write or
   * prune it meanwhile.
   */
  @SuppressWarnings("try") // the lock is held, not used, in the block
  private Outcome resumeRun(PrintWriter pw) {
    try (OutputLock lock =
        OutputLock.acquire(Checkpoints.storeOf(start.resume), "checkpoint directory")) {
      Path checkpoint = Checkpoints.resolve(start.resume);
      SavedRun saved = Checkpoints.read(checkpoint);
      StreamOptions.Opened opened = streamOptions.reopen(saved.stream());
      TrainerConfig config = saved.config();
      pw.printf(
          "resuming %s at task %d, epoch %d, step %d of the run%n",
          checkpoint, saved.task(), saved.epoch() + 1, saved.steps());
      pw.flush();
      AccuracyMatrix matrix =
          ContinualTrainer.resume(
              checkpoint,
              opened.stream(),
              progress.listener(config.methodName()),
              outputs.checkpointEvery,
              training.threads.sessionOptions());
      return new Outcome(matrix, checkpoint.getParent(), opened, config);
    }
  }

  /** Starts a run from new weights, or from the SavedModel named by {@code --init}. */
  private Outcome startRun(PrintWriter pw) {
    List<RuleConfig> rules = training.rule.rules(rule, streamOptions.stream, training.binarized);
    TrainerConfig fresh = training.trainerConfig(rules, seed);
    StreamOptions.Opened opened = streamOptions.open(seed, pw);
    TaskStream stream = opened.stream();
    Path store = outputs.out.resolve("checkpoints");
    pw.printf(
        "stream %s from %s: %d tasks%n", stream.name(), stream.source(), stream.tasks().size());
    try (LoadedModel loaded =
        start.init == null
            ? null
            : SavedModels.load(start.init, training.threads.sessionOptions())) {
      TrainerConfig config =
          loaded == null ? fresh : loaded.trainerConfig(training.epochs, training.batch, seed);
      if (loaded == null) {
        pw.printf(
            "model %s; %s; %s%n",
            config
                .modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead())
                .describe(),
            config.optimizer(),
            rules.isEmpty() ? "fine-tuning (no rule)" : rules.get(0));
      } else {
        pw.printf("starting from %s: %s%n", start.init, loaded.describe());
      }
      pw.flush();
      ContinualTrainer trainer =
          new ContinualTrainer(config, progress.listener(config.methodName()))
              .withCheckpoints(new Checkpoints(store), outputs.checkpointEvery)
              .withSessionOptions(training.threads.sessionOptions());
      AccuracyMatrix matrix =
          loaded == null
              ? trainer.run(stream, opened.descriptor())
              : trainer.run(loaded.model(), stream, opened.descriptor());
      return new Outcome(matrix, store, opened, config);
    }
  }
}
