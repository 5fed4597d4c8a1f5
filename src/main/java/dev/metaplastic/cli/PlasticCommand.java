package dev.metaplastic.cli;

import dev.metaplastic.episodes.EpisodeTask;
import dev.metaplastic.episodes.Episodes;
import dev.metaplastic.experiments.EpisodeProgress;
import dev.metaplastic.experiments.EpisodeResult;
import dev.metaplastic.experiments.EpisodeRunConfig;
import dev.metaplastic.experiments.EvaluationSet;
import dev.metaplastic.experiments.PlasticComparison;
import dev.metaplastic.experiments.report.PlasticReport;
import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import dev.metaplastic.savedmodel.StagedDirectory;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * {@code metaplastic plastic}: the {@link PlasticComparison} protocol, plastic RNNs with every
 * chosen within-episode rule and the plain RNN of the same size on the same episodic task, seed and
 * episodes. Writes a markdown table and a learning-curve PNG ({@link PlasticReport}) and, with
 * {@code --export DIR}, each trained network as a SavedModel in {@code DIR/<rule>/}: all of them
 * appear at once, after the last rule, or none.
 */
@Command(
    name = "plastic",
    mixinStandardHelpOptions = true,
    description =
        "Train plastic RNNs (a plain RNN and one per fast-weight rule) on the same episodic task"
            + " and seed; write a markdown table and a learning-curve PNG.")
final class PlasticCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ProgressOptions progress;
  @Mixin EpisodeOptions setup;

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
    EpisodeTask episodeTask = setup.task();
    Map<String, Plasticity> chosen = setup.rules(episodeTask);
    EpisodeRunConfig config = setup.config(episodeTask);
    EvaluationSet evaluation = setup.evaluation(episodeTask);
    Path dir = out != null ? out : Path.of("out", "plastic-" + setup.task);
    PrintWriter pw = spec.commandLine().getOut();
    String header = setup.describe(episodeTask);
    pw.println("plastic: " + header);
    pw.flush();

    String metric = episodeTask.kind() == Episodes.Kind.CLASSIFICATION ? "accuracy" : "MSE";
    List<EpisodeResult> results;
    try (StagedDirectory staged = export != null ? StagedDirectory.create(export) : null) {
      results =
          PlasticComparison.run(
              chosen, config, evaluation, staged != null ? staged.path() : null, listener(pw));
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

    String table = PlasticReport.markdown(results, evaluation.reversals() != null);
    String title = setup.task + ": " + metric + " during training, every rule";
    PlasticReport.write(dir, title, header, table, metric, results);
    pw.println();
    pw.print(table);
    pw.printf("%ntable and plot written to %s%n", dir);
    pw.flush();
    return 0;
  }

  /** A progress bar per rule, and one line per finished rule. */
  private PlasticComparison.Listener listener(PrintWriter pw) {
    return new PlasticComparison.Listener() {
      @Override
      public EpisodeProgress progress(String rule, long steps) {
        return progress.episodes(rule, steps);
      }

      @Override
      public void finished(EpisodeResult r) {
        String metric = r.kind() == Episodes.Kind.CLASSIFICATION ? "accuracy" : "MSE";
        pw.printf(
            Locale.ROOT,
            "%-15s %s  (%.4f s per step)%n",
            r.rule(),
            r.failure() != null
                ? r.failure()
                : String.format(Locale.ROOT, "%s %.4f", metric, r.finalMetric()),
            r.secondsPerStep());
        pw.flush();
      }
    };
  }
}
