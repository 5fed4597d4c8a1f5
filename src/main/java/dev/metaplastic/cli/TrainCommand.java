package dev.metaplastic.cli;

import dev.metaplastic.data.TaskStream;
import dev.metaplastic.graphs.Manifests;
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
      description = "Consolidation rule: si or none (fine-tuning). Default: ${DEFAULT-VALUE}.")
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
              + " checkpoint is taken); its settings replace the other options.")
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

  @Override
  public Integer call() {
    PrintWriter pw = spec.commandLine().getOut();
    if (export != null && java.nio.file.Files.exists(export)) {
      throw new IllegalArgumentException(export + " already exists; export into a new directory");
    }
    AccuracyMatrix matrix;
    String method;
    Path store;
    StreamOptions.Opened opened;
    TrainerConfig config;
    if (resume != null) {
      Path checkpoint = Checkpoints.resolve(resume);
      TrainingRun run = Checkpoints.readRun(checkpoint);
      Manifest manifest = run.getManifest();
      opened =
          StreamOptions.open(
              manifest.getDataStream().getKind(),
              dataDirOf(manifest),
              manifest.getDataStream().getTasks(),
              manifest.getDataStream().getSeed());
      method = manifest.getRulesCount() == 0 ? "fine-tuning" : manifest.getRules(0).getName();
      pw.printf(
          "resuming %s at task %d, epoch %d, step %d of the run%n",
          checkpoint, run.getTask(), run.getEpoch() + 1, run.getSteps());
      pw.flush();
      store = checkpoint.getParent();
      matrix =
          ContinualTrainer.resume(
              checkpoint, opened.stream(), progress.listener(method), checkpointEvery);
      config = null;
    } else {
      List<RuleConfig> rules =
          switch (rule) {
            case "si" -> List.of(training.synapticIntelligence(streamOptions.stream));
            case "none" -> List.of();
            default ->
                throw new IllegalArgumentException(
                    "unknown rule '" + rule + "'; expected si or none");
          };
      config = training.trainerConfig(rules, seed);
      opened = streamOptions.open(seed, pw);
      TaskStream stream = opened.stream();
      method = config.methodName();

      store = out.resolve("checkpoints");
      pw.printf(
          "stream %s from %s: %d tasks%n", stream.name(), stream.source(), stream.tasks().size());
      if (init == null) {
        pw.printf(
            "model %s; %s; %s%n",
            config
                .modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead())
                .describe(),
            config.optimizer(),
            rules.isEmpty() ? "fine-tuning (no rule)" : rules.get(0));
        pw.flush();
        matrix =
            new ContinualTrainer(config, progress.listener(method))
                .withCheckpoints(new Checkpoints(store), checkpointEvery)
                .run(stream, opened.descriptor());
      } else {
        try (LoadedModel loaded = SavedModels.load(init)) {
          Manifest manifest = loaded.manifest();
          config =
              new TrainerConfig(
                  manifest.getModel().getHiddenList(),
                  training.epochs,
                  training.batch,
                  Manifests.optimizer(manifest),
                  Manifests.rules(manifest),
                  seed);
          method = config.methodName();
          pw.printf(
              "starting from %s: %s, %d tasks consolidated, %s, rules %s%n",
              init,
              loaded.model().spec().describe(),
              manifest.getTasksConsolidated(),
              config.optimizer(),
              config.rules());
          pw.flush();
          matrix =
              new ContinualTrainer(config, progress.listener(method))
                  .withCheckpoints(new Checkpoints(store), checkpointEvery)
                  .run(loaded.model(), stream, opened.descriptor());
        }
      }
    }
    AccuracyReport.printMatrix(pw, "Test accuracy after each task (" + method + ")", matrix);
    if (joint && config != null) {
      double[] bound =
          new ContinualTrainer(config.withRules(List.of()), progress.listener("joint"))
              .trainJointly(opened.stream());
      pw.printf(
          "joint training (upper bound): average accuracy %.4f%n",
          Arrays.stream(bound).average().orElse(Double.NaN));
    }
    Path plot = out.resolve("accuracy-" + method + ".png");
    AccuracyReport.plotPerTask(plot, opened.stream().name() + " — " + method, matrix);
    pw.printf("plot written to %s; checkpoints in %s%n", plot, store);
    if (export != null) {
      SavedModels.exportCheckpoint(Checkpoints.resolve(store), export);
      pw.printf("SavedModel written to %s%n", export);
    }
    return 0;
  }

  /** The rule named on the command line, with the defaults of {@code stream}. */
  static List<RuleConfig> rules(String rule, TrainingOptions training, String stream) {
    return switch (rule) {
      case "si" -> List.of(training.synapticIntelligence(stream));
      case "none" -> List.of();
      default ->
          throw new IllegalArgumentException("unknown rule '" + rule + "'; expected si or none");
    };
  }

  /** The data directory a run was trained from: the source of a Fashion-MNIST stream. */
  private static Path dataDirOf(Manifest manifest) {
    return manifest.getDataStream().getKind().equals("generated")
        ? null
        : Path.of(manifest.getDataStream().getSource());
  }
}
