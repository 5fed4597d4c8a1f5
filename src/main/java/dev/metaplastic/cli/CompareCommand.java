package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.experiments.Comparison;
import dev.metaplastic.experiments.ComparisonResult;
import dev.metaplastic.experiments.ExperimentListener;
import dev.metaplastic.experiments.Method;
import dev.metaplastic.experiments.MethodResult;
import dev.metaplastic.experiments.report.ComparisonReport;
import dev.metaplastic.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic compare}: every chosen method trained on the same stream with the same seed
 * and network, in one run, with fine-tuning as the lower bound and joint training as the upper.
 * Writes a markdown table and PNG plots.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description =
        "Train several consolidation rules on the same stream, seed and network; write a markdown"
            + " table and PNG plots.")
final class CompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin StreamOptions streamOptions;
  @Mixin TrainingOptions training;
  @Mixin ProgressOptions progress;

  @Option(
      names = "--rules",
      split = ",",
      completionCandidates = RuleOptions.Names.class,
      description =
          "Methods to compare: finetune, joint, and any of ${COMPLETION-CANDIDATES}, alone or"
              + " joined with + to share a graph (such as ewc+neuromod-lr), with or without the"
              + " neuromodulators da, na, ach joined to them (si+da+na: SI gated by DA and NA)."
              + " Default: finetune,joint,si,ewc,online-ewc,mas,benna-fusi; with --binarized"
              + " (metaplastic vs plain binarized network): finetune,joint,meta.")
  List<String> methods;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the stream, the weights and the minibatch order. Default: 0.")
  long seed;

  @Option(
      names = "--seeds",
      split = ",",
      description =
          "Several seeds, one run of every method each; the table gives mean ± sd over them and"
              + " the plots the means. Instead of --seed.")
  List<Long> seeds;

  @Option(
      names = "--out",
      description = "Output directory for the table and plots. Default: out/compare-<stream>.")
  Path out;

  @Override
  public Integer call() {
    boolean binarized = training.binarized;
    List<String> chosen =
        methods != null
            ? methods
            : binarized
                ? List.of("finetune", "joint", "meta")
                : List.of("finetune", "joint", "si", "ewc", "online-ewc", "mas", "benna-fusi");
    PrintWriter pw = spec.commandLine().getOut();
    if (seeds != null && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
      throw new InvalidInputException("give --seed or --seeds, not both");
    }
    List<Long> runSeeds = seeds != null && !seeds.isEmpty() ? seeds : List.of(seed);
    List<String> ruleMethods =
        chosen.stream().filter(m -> !m.equals(Method.FINETUNE) && !m.equals(Method.JOINT)).toList();
    for (String method : ruleMethods) {
      if (!RuleOptions.isCombination(method)) {
        throw new InvalidInputException(
            "unknown method '"
                + method
                + "'; expected finetune, joint or one of "
                + RuleOptions.cliNames()
                + " (rules may be joined with +, such as ewc+neuromod-lr)");
      }
    }
    training.rule.checkTaken(ruleMethods);
    StreamOptions.Opened opened = streamOptions.open(runSeeds.get(0), pw);
    String kind = opened.descriptor().kind();
    TaskStream stream = opened.stream();
    Path dir = out != null ? out : Path.of("out", "compare-" + kind + (binarized ? "-bnn" : ""));
    Map<String, Method> compared = new LinkedHashMap<>();
    for (String method : chosen) {
      compared.put(
          method,
          method.equals(Method.JOINT)
              ? Method.jointTraining()
              : ruleMethods.contains(method)
                  ? Method.rules(method, training.rule.configs(method, kind, binarized))
                  : Method.fineTuning());
    }
    Comparison comparison =
        new Comparison(
                training.trainerConfig(List.of(), runSeeds.get(0)), List.copyOf(compared.values()))
            .withSessionOptions(training.threads.sessionOptions());
    String header = comparison.describe(stream, runSeeds);
    pw.println("compare: " + header);
    pw.flush();
    ComparisonResult result =
        comparison.run(
            s -> s == runSeeds.get(0) ? stream : streamOptions.open(s, pw).stream(),
            runSeeds,
            new ExperimentListener() {
              @Override
              public TrainingListener training(Method method, long seed) {
                return progress.listener(method.name());
              }

              @Override
              public void finished(long seed, MethodResult result) {
                pw.println(ComparisonReport.line(result, seed, runSeeds.size() > 1));
                pw.flush();
              }
            });
    String table;
    if (runSeeds.size() == 1) {
      table = ComparisonReport.markdown(result.firstSeed());
      ComparisonReport.write(dir, header, table, result.firstSeed(), stream);
    } else {
      table = ComparisonReport.markdownOverSeeds(result);
      ComparisonReport.writeOverSeeds(dir, header, table, result, stream);
    }
    pw.println();
    pw.print(table);
    pw.printf("%ntable and plots written to %s%n", dir);
    pw.flush();
    return 0;
  }
}
