package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.experiments.Continuation;
import dev.metaplastic.experiments.ContinuationResult;
import dev.metaplastic.experiments.ExperimentListener;
import dev.metaplastic.experiments.Method;
import dev.metaplastic.experiments.MethodResult;
import dev.metaplastic.experiments.Sweep;
import dev.metaplastic.experiments.report.ContinuationReport;
import dev.metaplastic.interop.ImportedModel;
import dev.metaplastic.interop.KerasImport;
import dev.metaplastic.savedmodel.StagedDirectory;
import dev.metaplastic.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic continue}: the {@link Continuation} protocol from a Keras classifier, with
 * fine-tuning and joint training as bounds. Writes {@code continue.md}, one accuracy-matrix heat
 * map per method, a trade-off chart per {@code --sweep} ({@link ContinuationReport}), and with
 * {@code --export} each method's final model as a drop-in SavedModel. Every output appears complete
 * or not at all.
 */
@Command(
    name = "continue",
    mixinStandardHelpOptions = true,
    description =
        "Continue learning from a Keras model: protect its original task with each rule while"
            + " learning new tasks; compare with fine-tuning and joint training over several"
            + " seeds.")
final class ContinueCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OptimizerOptions optimizer;
  @Mixin RuleOptions ruleOptions;
  @Mixin ProgressOptions progress;
  @Mixin ContinueOptions setup;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "SOURCE",
      description =
          "A dense Fashion-MNIST classifier from Keras: a .keras or .h5 file, or a SavedModel"
              + " directory.")
  Path from;

  @Option(
      names = "--rules",
      split = ",",
      defaultValue = "finetune,ewc,online-ewc,mas",
      completionCandidates = RuleOptions.Names.class,
      description =
          "Methods: finetune and any rule of the registry (${COMPLETION-CANDIDATES}), with the"
              + " stream's presets; fine-tuning and joint training always run."
              + " Default: ${DEFAULT-VALUE}.")
  List<String> methods;

  @Option(
      names = "--sweep",
      paramLabel = "RULE:PARAM=V1,V2,...",
      description =
          "A strength sweep, such as ewc:lambda=10,100,1000: the rule once per value (over every"
              + " seed), charted as original-task accuracy against new-task average. Repeatable.")
  List<String> sweeps = new ArrayList<>();

  @Option(
      names = "--out",
      required = true,
      description = "Output directory for continue.md and the plots; must not exist or be empty.")
  Path out;

  @Option(
      names = "--export",
      paramLabel = "DIR",
      description =
          "Also export each method's final model of the first seed as a drop-in SavedModel in"
              + " DIR/<method>/; DIR must not exist or be empty.")
  Path export;

  @Override
  public Integer call() {
    Continuation.Settings settings = setup.settings(optimizer.config());
    StagedDirectory.checkTarget(out.toAbsolutePath().normalize(), "--out");
    if (export != null) {
      StagedDirectory.checkTarget(export.toAbsolutePath().normalize(), "--export");
    }
    ContinueMethods parsed = new ContinueMethods(ruleOptions, settings.stream());
    List<Method> chosen = parsed.chosen(methods);
    List<Sweep> sweepList = sweeps.stream().map(parsed::sweep).toList();
    parsed.checkTaken(chosen, sweepList);

    PrintWriter pw = spec.commandLine().getOut();
    Path data = setup.dataDir();
    FashionMnist fashion = FashionMnist.load(data);
    ImportedModel imported =
        InvalidInputException.validating("", () -> KerasImport.load(from, fashion.test()));
    Continuation continuation = Continuation.of(imported, fashion, data, settings);
    pw.print(continuation.imported().describe());
    String header = continuation.describe();
    pw.println("continue: " + header);
    pw.flush();

    try (StagedDirectory report = StagedDirectory.create(out, "--out");
        StagedDirectory exports =
            export == null ? null : StagedDirectory.create(export, "--export")) {
      ContinuationResult result =
          continuation.run(
              chosen, sweepList, exports == null ? null : exports.path(), listener(pw));
      ContinuationReport.write(report.path(), header, result);
      report.commit();
      if (exports != null) {
        exports.commit();
      }
      pw.println();
      ContinuationReport.print(pw, result, chosen, settings.seeds().get(0));
      pw.printf("%nreport written to %s%n", out);
      if (export != null) {
        pw.printf("final models of seed %d exported to %s%n", settings.seeds().get(0), export);
      }
      pw.flush();
    }
    return 0;
  }

  /** Progress bars per run, and one line per finished run. */
  private ExperimentListener listener(PrintWriter pw) {
    return new ExperimentListener() {
      @Override
      public TrainingListener training(Method method, long seed) {
        return progress.listener(method.name() + " seed " + seed);
      }

      @Override
      public void finished(long seed, MethodResult r) {
        pw.println(ContinuationReport.line(seed, r));
        pw.flush();
      }
    };
  }
}
