package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.episodes.EpisodeTask;
import dev.metaplastic.episodes.EpisodeTasks;
import dev.metaplastic.episodes.Episodes;
import dev.metaplastic.files.StagedFile;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import dev.metaplastic.savedmodel.StagedDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic plastic}: plastic RNNs with every chosen within-episode rule, and the plain
 * RNN of the same size, trained on the same episodic task with the same seed and episodes. Writes a
 * markdown table and a learning-curve PNG and, with {@code --export DIR}, each trained network as a
 * SavedModel in {@code DIR/<rule>/}: all of them appear at once, after the last rule, or none.
 */
@Command(
    name = "plastic",
    mixinStandardHelpOptions = true,
    description =
        "Train plastic RNNs (a plain RNN and one per fast-weight rule) on the same episodic task"
            + " and seed; write a markdown table and a learning-curve PNG.")
final class PlasticCommand implements Callable<Integer> {
  /** The rules, as the command line spells them: none, then every fast-weight rule. */
  static final List<String> RULES = Plasticity.values().stream().map(Plasticity::name).toList();

  /** The rules {@code plastic} runs without {@code --rules}: those that need no reward. */
  static final List<String> DEFAULT_RULES =
      Plasticity.values().stream().filter(p -> !p.readsReward()).map(Plasticity::name).toList();

  /** {@link #RULES}, for the option's description. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return RULES.iterator();
    }
  }

  @Spec CommandSpec spec;
  @Mixin ProgressOptions progress;

  @Option(
      names = "--task",
      defaultValue = "copy",
      description = "copy, associative, regression or gonogo. Default: ${DEFAULT-VALUE}.")
  String task;

  @Option(
      names = {"--rules", "--rule"},
      split = ",",
      completionCandidates = Names.class,
      description =
          "Plasticity rules to compare, any of ${COMPLETION-CANDIDATES} (none is the plain RNN"
              + " baseline; a reward-modulated rule such as dopamine needs a task with a reward"
              + " channel, gonogo). Default: every rule that needs no reward.")
  List<String> rules;

  @Option(
      names = "--steps",
      description = "Steps per episode (gonogo only). Default: the task's standard size (40).")
  Integer steps;

  @Option(
      names = "--cues",
      description =
          "Number of cues, even, half of them Go in each episode (gonogo only). Default: 2.")
  Integer cues;

  @Option(
      names = "--length",
      description = "Sequence length to copy (copy only). Default: the task's standard size (5).")
  Integer length;

  @Option(
      names = "--delay",
      description =
          "Blank steps between the sequence and its recall (copy only). Default: the task's"
              + " standard size (5).")
  Integer delay;

  @Option(
      names = "--hidden",
      defaultValue = "64",
      description = "Recurrent units. Default: ${DEFAULT-VALUE}.")
  int hidden;

  @Option(
      names = "--episodes",
      defaultValue = "2000",
      description = "Training steps, each on a fresh batch of episodes. Default: ${DEFAULT-VALUE}.")
  int episodes;

  @Option(
      names = "--batch",
      defaultValue = "32",
      description = "Episodes per training step. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--lr",
      defaultValue = "0.001",
      description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  @Option(
      names = "--eval-every",
      defaultValue = "100",
      description = "Evaluate every this many training steps. Default: ${DEFAULT-VALUE}.")
  int evalEvery;

  @Option(
      names = "--eval-episodes",
      defaultValue = "512",
      description = "Size of the fixed evaluation set. Default: ${DEFAULT-VALUE}.")
  int evalEpisodes;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the weights and of the episodes. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--out",
      description = "Output directory for the table and plot. Default: out/plastic-<task>.")
  Path out;

  @Option(
      names = "--export",
      paramLabel = "DIR",
      description =
          "Write each trained network as a SavedModel in DIR/<rule>/ (DIR must be new or empty).")
  Path export;

  @Override
  public Integer call() {
    if (export != null) {
      StagedDirectory.checkTarget(export.toAbsolutePath().normalize());
    }
    EpisodeTask episodeTask =
        InvalidInputException.validating(
            "", () -> EpisodeTasks.named(task, EpisodeTasks.Sizes.of(steps, cues, length, delay)));
    Map<String, Plasticity> chosen = plasticities(rules != null ? rules : DEFAULT_RULES);
    for (Plasticity plasticity : chosen.values()) {
      if (plasticity.readsReward() && episodeTask.rewardChannel().isEmpty()) {
        throw new InvalidInputException(
            "rule "
                + plasticity.name()
                + " reads the task's reward channel, but task '"
                + task
                + "' has none; use it with gonogo");
      }
    }
    EpisodeRunConfig config =
        new EpisodeRunConfig(
            episodeTask,
            hidden,
            episodes,
            batch,
            OptimizerConfig.Adam.withLearningRate(learningRate),
            evalEvery,
            seed);
    EvaluationSet evaluation = EvaluationSet.sample(episodeTask, evalEpisodes, seed);
    Path dir = out != null ? out : Path.of("out", "plastic-" + task);
    PrintWriter pw = spec.commandLine().getOut();
    String header =
        String.format(
            Locale.ROOT,
            "%s; hidden %d; %d training steps of %d episodes, Adam lr %s; evaluation on %d"
                + " episodes every %d steps; seed %d",
            episodeTask.describe(),
            hidden,
            episodes,
            batch,
            learningRate,
            evalEpisodes,
            evalEvery,
            seed);
    pw.println("plastic: " + header);
    pw.flush();

    boolean classification = episodeTask.kind() == Episodes.Kind.CLASSIFICATION;
    String metric = classification ? "accuracy" : "MSE";
    List<EpisodeResult> results = new ArrayList<>();
    try (StagedDirectory staged = export != null ? StagedDirectory.create(export) : null) {
      chosen.forEach(
          (rule, plasticity) -> {
            EpisodeResult r =
                EpisodeRun.run(
                    rule,
                    plasticity,
                    config,
                    evaluation,
                    progress.episodes(rule, episodes),
                    staged != null ? staged.path().resolve(rule) : null);
            results.add(r);
            pw.printf(
                Locale.ROOT,
                "%-15s %s  (%.4f s per step)%n",
                rule,
                r.failure() != null
                    ? r.failure()
                    : String.format(Locale.ROOT, "%s %.4f", metric, r.finalMetric()),
                r.secondsPerStep());
            pw.flush();
          });
      if (staged != null) {
        List<String> exported =
            results.stream().filter(r -> r.failure() == null).map(EpisodeResult::rule).toList();
        if (exported.isEmpty()) {
          pw.printf("nothing exported to %s: every rule diverged%n", export);
        } else {
          staged.commit();
          pw.printf("SavedModels of %s written to %s%n", String.join(", ", exported), export);
        }
      }
    }

    String table = PlasticTable.markdown(results, evaluation.reversals() != null);
    writeReport(
        dir, task + ": " + metric + " during training, every rule", header, table, metric, results);
    pw.println();
    pw.print(table);
    pw.printf("%ntable and plot written to %s%n", dir);
    pw.flush();
    return 0;
  }

  /** The plasticity of each named rule, in the given order; rejects unknown names. */
  static Map<String, Plasticity> plasticities(List<String> names) {
    Map<String, Plasticity> chosen = new LinkedHashMap<>();
    for (String name : names) {
      if (!RULES.contains(name)) {
        throw new InvalidInputException(
            "unknown rule '" + name + "'; expected one of " + String.join(", ", RULES));
      }
      chosen.put(name, new Plasticity(name));
    }
    return chosen;
  }

  private static void writeReport(
      Path dir,
      String title,
      String header,
      String table,
      String metric,
      List<EpisodeResult> results) {
    LearningCurvePlot.write(dir.resolve("learning-curve.png"), title, metric, results);
    String md =
        "# Plastic RNNs\n\n"
            + header
            + "\n\n"
            + table
            + "\n![learning curve](learning-curve.png)\n";
    StagedFile.writeString(dir.resolve("plastic.md"), "report", md);
  }
}
