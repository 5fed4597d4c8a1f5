package dev.metaplastic.cli;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.episodes.RewardedGoNoGoTask;
import dev.metaplastic.experiments.EpisodeProgress;
import dev.metaplastic.experiments.NeuromodResult;
import dev.metaplastic.experiments.NeuromodStudy;
import dev.metaplastic.experiments.report.NeuromodReport;
import dev.metaplastic.graphs.EpisodeTrainingGraph;
import dev.metaplastic.graphs.GoNoGoTrainingGraph;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.RewardSchedule;
import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.Neuromodulators;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic neuromod}: Go/No-Go learned from reward with reversals, played by recurrent
 * actor-critic agents whose plastic input connection is gated by any subset of the four
 * neuromodulators, over several seeds. Writes a table (mean ± sd over seeds), the learning curves,
 * the accuracy around a reversal and the modulators' signals around it.
 */
@Command(
    name = "neuromod",
    mixinStandardHelpOptions = true,
    description =
        "Go/No-Go learned from reward, with reversals: a plain recurrent agent and plastic ones"
            + " whose trace is gated by none, DA, DA+NA, DA+NA+ACh, DA+NA+ACh+5-HT, over seeds;"
            + " writes a table, learning curves and curves around the reversals.")
final class NeuromodCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProgressOptions progress;
  @Mixin ThreadOptions threads;

  @Option(
      names = "--conditions",
      split = ",",
      defaultValue = "rnn,none,da,da+na,da+na+ach,da+na+ach+5ht",
      description =
          "Agents to compare: rnn (no trace), or a +-joined set of da, na, ach, 5ht gating the"
              + " plastic trace (none: an ungated Hebbian trace). Default: ${DEFAULT-VALUE}.")
  List<String> conditions;

  @Option(
      names = "--seeds",
      split = ",",
      defaultValue = "0,1,2,3,4",
      description = "Seeds of the weights, episodes and actions. Default: ${DEFAULT-VALUE}.")
  List<Long> seeds;

  @Option(names = "--cues", defaultValue = "4", description = "Cues, even. Default: 4.")
  int cues;

  @Option(names = "--trials", defaultValue = "80", description = "Trials per episode. Default: 80.")
  int trials;

  @Option(
      names = "--min-block",
      defaultValue = "15",
      description = "Shortest block between reversals. Default: 15.")
  int minBlock;

  @Option(
      names = "--max-block",
      defaultValue = "25",
      description = "Longest block between reversals. Default: 25.")
  int maxBlock;

  @Option(
      names = "--validity",
      defaultValue = "1",
      description = "Probability that an outcome follows the true rule. Default: 1.")
  double validity;

  @Option(names = "--hidden", defaultValue = "32", description = "Recurrent units. Default: 32.")
  int hidden;

  @Option(
      names = "--episodes",
      defaultValue = "1500",
      description = "Training steps, each on a fresh batch of episodes. Default: 1500.")
  int steps;

  @Option(names = "--batch", defaultValue = "32", description = "Episodes per step. Default: 32.")
  int batch;

  @Option(
      names = "--lr",
      defaultValue = "0.003",
      description = "Adam learning rate. Default: 0.003.")
  double learningRate;

  @Option(
      names = "--entropy",
      defaultValue = "0.05",
      description = "Weight c_H of the entropy bonus. Default: 0.05.")
  double entropy;

  @Option(
      names = "--eval-every",
      defaultValue = "100",
      description = "Evaluate every this many steps. Default: 100.")
  int evalEvery;

  @Option(
      names = "--eval-episodes",
      defaultValue = "256",
      description = "Size of the fixed evaluation set. Default: 256.")
  int evalEpisodes;

  @Option(
      names = "--fast-rate",
      defaultValue = "0.5",
      description = "beta_fast of NA's recent error. Default: 0.5.")
  double fastRate;

  @Option(
      names = "--slow-rate",
      defaultValue = "0.05",
      description = "beta_slow of ACh's expected uncertainty. Default: 0.05.")
  double slowRate;

  @Option(
      names = "--na-gain",
      defaultValue = "2",
      description = "kappa_NA, NA's gain on the trace's rate. Default: 2.")
  double naGain;

  @Option(
      names = "--na-reset",
      defaultValue = "0.5",
      description = "rho, the share of the trace a complete surprise wipes. Default: 0.5.")
  double naReset;

  @Option(
      names = "--ach-slope",
      defaultValue = "2",
      description = "kappa_ACh, ACh's discount of a new outcome. Default: 2.")
  double achSlope;

  @Option(
      names = "--5ht-rate",
      defaultValue = "0.05",
      description = "beta_5HT of 5-HT's aversive average. Default: 0.05.")
  double serotoninRate;

  @Option(
      names = "--5ht-inhibition",
      defaultValue = "2",
      description = "kappa_5HT, 5-HT's inhibition of the response. Default: 2.")
  double serotoninInhibition;

  @Option(names = "--out", description = "Output directory. Default: out/neuromod.")
  Path out;

  /**
   * The modulators' constants by option, with the modulators whose gates read them: an option given
   * while none of its modulators acts in any condition would change nothing, so it is an error.
   */
  private static final Map<String, Set<Modulator>> CONSTANTS =
      Map.of(
          "--fast-rate", EnumSet.of(Modulator.NORADRENALINE),
          "--slow-rate", EnumSet.of(Modulator.NORADRENALINE, Modulator.ACETYLCHOLINE),
          "--na-gain", EnumSet.of(Modulator.NORADRENALINE),
          "--na-reset", EnumSet.of(Modulator.NORADRENALINE),
          "--ach-slope", EnumSet.of(Modulator.ACETYLCHOLINE),
          "--5ht-rate", EnumSet.of(Modulator.SEROTONIN),
          "--5ht-inhibition", EnumSet.of(Modulator.SEROTONIN));

  /** What the options describe, checked before anything trains. */
  private record Study(
      RewardedGoNoGoTask task,
      Neuromodulators.Config constants,
      Map<String, Neuromodulators.Config> conditions,
      NeuromodStudy.Settings settings) {}

  /**
   * The task, constants, conditions and settings of the options; one agent per condition checked.
   */
  private Study study() {
    checkArgument(!seeds.isEmpty(), "--seeds must name at least one seed");
    checkArgument(evalEpisodes > 0, "--eval-episodes must be positive, got %s", evalEpisodes);
    checkArgument(steps > 0, "--episodes must be positive, got %s", steps);
    checkArgument(batch > 0, "--batch must be positive, got %s", batch);
    checkArgument(evalEvery > 0, "--eval-every must be positive, got %s", evalEvery);
    RewardedGoNoGoTask task = new RewardedGoNoGoTask(cues, trials, minBlock, maxBlock, validity);
    Neuromodulators.Config constants =
        new Neuromodulators.Config(
            Modulator.parse("none"),
            fastRate,
            slowRate,
            naGain,
            naReset,
            achSlope,
            serotoninRate,
            serotoninInhibition);
    Map<String, Neuromodulators.Config> chosen = new LinkedHashMap<>();
    for (String condition : conditions) {
      String name = condition.trim().toLowerCase(Locale.ROOT);
      boolean plain = name.equals(NeuromodStudy.PLAIN);
      Neuromodulators.Config modulators =
          plain ? constants : constants.withActive(Modulator.parse(name));
      chosen.put(plain ? NeuromodStudy.PLAIN : Modulator.describe(modulators.active()), modulators);
    }
    Set<Modulator> acting = EnumSet.noneOf(Modulator.class);
    chosen.values().forEach(modulators -> acting.addAll(modulators.active()));
    CONSTANTS.forEach(
        (option, readers) ->
            checkArgument(
                !spec.commandLine().getParseResult().hasMatchedOption(option)
                    || readers.stream().anyMatch(acting::contains),
                "%s is a constant of %s, which no condition of --conditions %s has",
                option,
                Modulator.describe(readers).replace("+", " or "),
                String.join(",", conditions)));
    GoNoGoTrainingGraph.Config training =
        new GoNoGoTrainingGraph.Config(
            OptimizerConfig.Adam.withLearningRate(learningRate),
            0.5,
            entropy,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM);
    NeuromodStudy.Settings settings =
        new NeuromodStudy.Settings(
            task, hidden, steps, batch, evalEvery, training, threads.sessionOptions());
    chosen.forEach((name, modulators) -> NeuromodStudy.agent(name, modulators, settings, 0));
    return new Study(task, constants, chosen, settings);
  }

  /** A progress bar per condition and seed, and one line per finished one. */
  private NeuromodStudy.Listener listener(PrintWriter pw) {
    return new NeuromodStudy.Listener() {
      @Override
      public EpisodeProgress progress(String condition, long seed, long steps) {
        return progress.episodes(condition + " seed " + seed, steps);
      }

      @Override
      public void finished(NeuromodResult r) {
        pw.printf(
            Locale.ROOT,
            "%-16s seed %d  %s  (%.3f s per step)%n",
            r.condition(),
            r.seed(),
            r.failure() != null
                ? r.failure()
                : String.format(
                    Locale.ROOT,
                    "reward per trial %.4f, trials to criterion after a reversal %.2f",
                    r.scores().rewardPerTrial(),
                    r.scores().meanTrialsToCriterionAfterReversal()),
            r.secondsPerStep());
        pw.flush();
      }
    };
  }

  @Override
  public Integer call() {
    Study study = InvalidInputException.validating("", this::study);
    RewardedGoNoGoTask task = study.task();
    Neuromodulators.Config constants = study.constants();
    Map<String, Neuromodulators.Config> chosen = study.conditions();
    NeuromodStudy.Settings settings = study.settings();
    Path dir = out != null ? out : Path.of("out", "neuromod");
    PrintWriter pw = spec.commandLine().getOut();
    String header =
        String.format(
            Locale.ROOT,
            "%s; rewards hit %s, miss %s, false alarm %s, correct rejection %s; recurrent"
                + " actor-critic agents of %d units, plastic input connection; %d training steps"
                + " of %d episodes, Adam lr %s, entropy weight %s; evaluation on %d episodes every"
                + " %d steps; seeds %s; modulator constants %s",
            task.describe(),
            RewardSchedule.USUAL.hit(),
            RewardSchedule.USUAL.miss(),
            RewardSchedule.USUAL.falseAlarm(),
            RewardSchedule.USUAL.correctRejection(),
            hidden,
            steps,
            batch,
            learningRate,
            entropy,
            evalEpisodes,
            evalEvery,
            seeds,
            constants.toString().substring("none ".length()));
    pw.println("neuromod: " + header);
    pw.flush();

    Map<String, List<NeuromodResult>> results =
        NeuromodStudy.run(chosen, settings, seeds, evalEpisodes, listener(pw));
    String modulated =
        chosen.keySet().stream()
            .filter(k -> !k.equals(NeuromodStudy.PLAIN))
            .reduce((a, b) -> b)
            .orElse("");
    String summary = NeuromodReport.summary(results);
    String perSeed = NeuromodReport.perSeed(results);
    NeuromodReport.plots(dir, results, modulated);
    NeuromodReport.write(dir, header, summary, perSeed, !modulated.isEmpty());
    pw.println();
    pw.print(summary);
    pw.printf("%nreport and plots written to %s%n", dir);
    pw.flush();
    return 0;
  }
}
