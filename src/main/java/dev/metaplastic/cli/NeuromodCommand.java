package dev.metaplastic.cli;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.experiments.EpisodeProgress;
import dev.metaplastic.experiments.NeuromodResult;
import dev.metaplastic.experiments.NeuromodStudy;
import dev.metaplastic.experiments.report.NeuromodReport;
import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.Neuromodulators;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
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
  @Mixin GoNoGoOptions goNoGo;
  @Mixin ModulatorOptions modulatorOptions;
  @Mixin ActorCriticOptions agents;

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

  @Option(
      names = "--eval-episodes",
      defaultValue = "256",
      description = "Size of the fixed evaluation set. Default: ${DEFAULT-VALUE}.")
  int evalEpisodes;

  @Option(
      names = "--out",
      defaultValue = "out/neuromod",
      description = "Output directory. Default: ${DEFAULT-VALUE}.")
  Path out;

  /** What the options describe, checked before anything trains. */
  private record Study(
      Neuromodulators.Config constants,
      Map<String, Neuromodulators.Config> conditions,
      NeuromodStudy.Settings settings) {}

  /** The constants, conditions and settings of the options; one agent per condition checked. */
  private Study study() {
    checkArgument(!seeds.isEmpty(), "--seeds must name at least one seed");
    checkArgument(evalEpisodes > 0, "--eval-episodes must be positive, got %s", evalEpisodes);
    Neuromodulators.Config constants = modulatorOptions.constants();
    Map<String, Neuromodulators.Config> chosen = NeuromodStudy.conditions(conditions, constants);
    Set<Modulator> acting = EnumSet.noneOf(Modulator.class);
    chosen.values().forEach(modulators -> acting.addAll(modulators.active()));
    ModulatorOptions.checkRead(spec.commandLine().getParseResult(), acting, conditions);
    NeuromodStudy.Settings settings = agents.settings(goNoGo.task(), threads.sessionOptions());
    chosen.forEach((name, modulators) -> NeuromodStudy.agent(name, modulators, settings, 0));
    return new Study(constants, chosen, settings);
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
        pw.println(NeuromodReport.line(r));
        pw.flush();
      }
    };
  }

  @Override
  public Integer call() {
    Study study = InvalidInputException.validating("", this::study);
    Neuromodulators.Config constants = study.constants();
    Map<String, Neuromodulators.Config> chosen = study.conditions();
    NeuromodStudy.Settings settings = study.settings();
    PrintWriter pw = spec.commandLine().getOut();
    String header = NeuromodStudy.describe(settings, seeds, evalEpisodes, constants);
    pw.println("neuromod: " + header);
    pw.flush();

    Map<String, List<NeuromodResult>> results =
        NeuromodStudy.run(chosen, settings, seeds, evalEpisodes, listener(pw));
    String summary = NeuromodReport.report(out, header, results);
    pw.println();
    pw.print(summary);
    pw.printf("%nreport and plots written to %s%n", out);
    pw.flush();
    return 0;
  }
}
