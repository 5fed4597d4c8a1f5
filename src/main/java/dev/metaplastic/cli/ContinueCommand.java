package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.ContinuationStream;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.files.StagedFile;
import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.interop.ImportedModel;
import dev.metaplastic.interop.KerasImport;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.savedmodel.StagedDirectory;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic continue}: continual learning that starts from a classifier trained in Python.
 * For each rule and seed, the Keras model is imported, its importance estimated on a sample of its
 * original training data and consolidated, so that the original task is task 0 of the accuracy
 * matrix with the Keras accuracy as its starting point; then new tasks are learned one after
 * another. Fine-tuning (the lower bound) and joint training (the upper bound: the Keras model
 * trained on the original and the new tasks' data together, for as many optimizer steps as the
 * sequential runs) run alongside. Writes {@code continue.md}, one accuracy-matrix heat map per
 * method, a trade-off chart per {@code --sweep}, and with {@code --export} each method's final
 * model as a drop-in SavedModel. Every output appears complete or not at all.
 */
@Command(
    name = "continue",
    mixinStandardHelpOptions = true,
    description =
        "Continue learning from a Keras model: protect its original task with each rule while"
            + " learning new tasks; compare with fine-tuning and joint training over several"
            + " seeds.")
final class ContinueCommand implements Callable<Integer> {
  private static final String FINETUNE = "finetune";
  private static final String JOINT = "joint";
  private static final int EVAL_BATCH = 1000;
  private static final Pattern SWEEP = Pattern.compile("([^:=]+):([^:=]+)=(.+)");

  @Spec CommandSpec spec;
  @Mixin OptimizerOptions optimizer;
  @Mixin RuleOptions ruleOptions;
  @Mixin ProgressOptions progress;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "DIR",
      description = "The Keras (or TensorFlow) SavedModel of a dense Fashion-MNIST classifier.")
  Path from;

  @Option(
      names = "--stream",
      defaultValue = "permuted",
      description =
          "New tasks: permuted (permuted Fashion-MNIST, the same ten classes) or split-class (one"
              + " class pair per task on the same ten-class output, at most 5). Default:"
              + " ${DEFAULT-VALUE}.")
  String stream;

  @Option(
      names = "--tasks",
      defaultValue = "4",
      description = "Number of new tasks. Default: ${DEFAULT-VALUE}.")
  int tasks;

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
      names = "--epochs",
      defaultValue = "2",
      description = "Epochs per new task. Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(
      names = "--batch",
      defaultValue = "256",
      description = "Batch size. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--seeds",
      split = ",",
      defaultValue = "0,1,2",
      description =
          "Seeds of the minibatch order and the importance samples; the tasks are the same for"
              + " all. Default: ${DEFAULT-VALUE}.")
  List<Long> seeds;

  @Option(
      names = "--importance-samples",
      defaultValue = "1024",
      description =
          "Original-task training images the importance at the import is estimated from (later"
              + " boundaries use each rule's --samples). Default: ${DEFAULT-VALUE}.")
  int importanceSamples;

  @Option(
      names = "--train-examples",
      defaultValue = "60000",
      description =
          "Training images per task (a random subset; all if there are fewer). Default:"
              + " ${DEFAULT-VALUE}.")
  int trainExamples;

  @Option(
      names = "--data-dir",
      description =
          "Directory of the Fashion-MNIST IDX files. Default: "
              + "/usr/share/datasets/fashion-mnist")
  Path dataDir;

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

  /**
   * One method trained sequentially: fine-tuning, a rule with its preset, or a point of a sweep.
   *
   * @param key file and directory name: {@code finetune}, the rule's name, or {@code
   *     rule-param=value}
   * @param rules the rules, empty for fine-tuning
   */
  private record Method(String key, List<RuleConfig> rules) {
    String description() {
      return rules.isEmpty() ? "fine-tuning" : rules.get(0).toString();
    }
  }

  /** One sweep: a rule's parameter and the methods of its values, labelled for the chart. */
  private record Sweep(String rule, String parameter, Map<String, Method> points) {}

  @Override
  public Integer call() {
    checkOptions();
    StagedDirectory.checkTarget(out.toAbsolutePath().normalize(), "--out");
    if (export != null) {
      StagedDirectory.checkTarget(export.toAbsolutePath().normalize(), "--export");
    }
    List<Method> chosen = chosenMethods();
    List<Sweep> sweepList = new ArrayList<>();
    for (String sweep : sweeps) {
      sweepList.add(sweep(sweep));
    }
    List<String> ruleNames = new ArrayList<>();
    chosen.forEach(
        method ->
            ruleNames.addAll(method.rules().stream().map(r -> r.descriptor().cliName()).toList()));
    sweepList.forEach(sweep -> ruleNames.add(Rules.descriptor(sweep.rule()).cliName()));
    ruleOptions.checkTaken(ruleNames);

    PrintWriter pw = spec.commandLine().getOut();
    ImportedModel imported = InvalidInputException.validating("", () -> KerasImport.load(from));
    Path data = dataDir != null ? dataDir : FashionMnist.DEFAULT_DIR;
    FashionMnist fashion = FashionMnist.load(data);
    String testSet = "the Fashion-MNIST test set in " + data;
    try {
      imported.checkData(fashion.test().featureSize(), 1, FashionMnist.CLASS_NAMES.size(), testSet);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    imported = imported.withReferenceAccuracy(imported.accuracy(fashion.test()), testSet);
    double reference = imported.source().getReferenceAccuracy();
    pw.print(imported.describe());
    TaskStream tasks = ContinuationStream.of(stream, fashion, this.tasks, 0, trainExamples);
    imported.checkFits(tasks);
    String header = header(imported, tasks, reference);
    pw.println("continue: " + header);
    pw.flush();

    try (StagedDirectory report = StagedDirectory.create(out, "--out");
        StagedDirectory exports =
            export == null ? null : StagedDirectory.create(export, "--export")) {
      Map<String, List<MethodResult>> results = new LinkedHashMap<>();
      List<MethodResult> joint = new ArrayList<>();
      for (long seed : seeds) {
        joint.add(joint(imported, tasks, seed));
        report(pw, seed, joint.get(joint.size() - 1));
      }
      List<Method> all = new ArrayList<>(chosen);
      sweepList.forEach(s -> all.addAll(s.points().values()));
      for (Method method : all) {
        if (results.containsKey(method.description())) {
          continue;
        }
        List<MethodResult> runs = new ArrayList<>();
        for (long seed : seeds) {
          Path to =
              exports != null && seed == seeds.get(0) && chosen.contains(method)
                  ? exports.path().resolve(method.key())
                  : null;
          runs.add(sequential(imported, tasks, method, seed, to));
          report(pw, seed, runs.get(runs.size() - 1));
        }
        results.put(method.description(), runs);
      }

      // chosen.get(0) is fine-tuning: the bounds lead every table.
      List<MethodResult> finetune = results.get(chosen.get(0).description());
      Summary summary = new Summary(reference, finetune, joint);
      List<List<MethodResult>> rows = new ArrayList<>(List.of(finetune, joint));
      chosen.subList(1, chosen.size()).forEach(m -> rows.add(results.get(m.description())));
      String table = summary.table(rows);
      try {
        Files.createDirectories(report.path());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create " + report.path(), e);
      }
      writeReport(report.path(), header, summary, table, rows, chosen, sweepList, results);
      report.commit();
      if (exports != null) {
        exports.commit();
      }
      pw.println();
      for (Method method : chosen) {
        AccuracyReport.printMatrix(
            pw,
            String.format(
                "Test accuracy after each task, %s, seed %d (task 0: the original task)",
                method.description(), seeds.get(0)),
            results.get(method.description()).get(0).matrix());
      }
      pw.print(table);
      pw.printf("%nreport written to %s%n", out);
      if (export != null) {
        pw.printf("final models of seed %d exported to %s%n", seeds.get(0), export);
      }
      pw.flush();
    }
    return 0;
  }

  /** Writes continue.md, the heat maps and the trade-off charts into {@code dir}. */
  private void writeReport(
      Path dir,
      String header,
      Summary summary,
      String table,
      List<List<MethodResult>> rows,
      List<Method> chosen,
      List<Sweep> sweepList,
      Map<String, List<MethodResult>> results) {
    StringBuilder md = new StringBuilder();
    md.append("# Continue learning from a Keras model\n\n").append(header).append("\n\n");
    md.append(String.format("## Summary, mean ± sd over %d seed(s)\n\n", seeds.size()));
    md.append(table).append('\n').append(Summary.LEGEND).append("\n\n");
    md.append("## Final accuracy on each task, mean ± sd\n\n");
    md.append(summary.perTask(rows));
    md.append("\n## Accuracy matrices, mean over seeds\n\n");
    md.append("Row i: after learning task i; task 0 is the original task, whose row holds the")
        .append(" Keras model's accuracy.\n\n");
    for (Method method : chosen) {
      String file = "accuracy-matrix-" + method.key() + ".png";
      AccuracyReport.plotMatrix(
          dir.resolve(file),
          method.description() + " — mean over " + seeds.size() + " seed(s)",
          AccuracyReport.meanMatrix(
              results.get(method.description()).stream().map(MethodResult::matrix).toList()));
      md.append(String.format("![%s](%s)\n", method.description(), file));
    }
    for (Sweep sweep : sweepList) {
      md.append(sweepSection(sweep, summary, results, dir));
    }
    write(dir.resolve("continue.md"), md.toString());
  }

  private void checkOptions() {
    positive(tasks, "--tasks");
    positive(epochs, "--epochs");
    positive(batch, "--batch");
    positive(importanceSamples, "--importance-samples");
    positive(trainExamples, "--train-examples");
    if (seeds.isEmpty() || new HashSet<>(seeds).size() != seeds.size()) {
      throw new InvalidInputException("--seeds must list distinct seeds, got " + seeds);
    }
    if (!ContinuationStream.KINDS.contains(stream)) {
      throw new InvalidInputException(
          "unknown --stream '"
              + stream
              + "'; expected one of "
              + String.join(", ", ContinuationStream.KINDS));
    }
  }

  private static void positive(int value, String option) {
    if (value < 1) {
      throw new InvalidInputException(option + " must be at least 1, got " + value);
    }
  }

  /** Fine-tuning first, then each rule of {@code --rules} once, with the stream's preset. */
  private List<Method> chosenMethods() {
    Map<String, Method> chosen = new LinkedHashMap<>();
    chosen.put(FINETUNE, new Method(FINETUNE, List.of()));
    for (String name : methods) {
      if (name.equals(FINETUNE) || name.equals(JOINT)) {
        continue;
      }
      RuleConfig rule = rule(name);
      chosen.putIfAbsent(rule.name(), new Method(rule.name(), List.of(rule)));
    }
    return List.copyOf(chosen.values());
  }

  private RuleConfig rule(String name) {
    if (!RuleOptions.isRule(name)) {
      throw new InvalidInputException(
          "unknown rule '"
              + name
              + "'; expected finetune, joint or one of "
              + String.join(", ", Rules.names()));
    }
    return ruleOptions.configs(name, stream, false).get(0);
  }

  /** Parses {@code rule:param=v1,v2,...} into one method per value. */
  private Sweep sweep(String text) {
    Matcher m = SWEEP.matcher(text);
    if (!m.matches()) {
      throw new InvalidInputException(
          "--sweep expects RULE:PARAMETER=V1,V2,..., such as ewc:lambda=10,100,1000; got '"
              + text
              + "'");
    }
    RuleConfig base = rule(m.group(1));
    String parameter = m.group(2);
    if (!base.hyperparameters().containsKey(parameter)) {
      throw new InvalidInputException(
          "--sweep "
              + text
              + ": rule "
              + base.name()
              + " has no hyperparameter '"
              + parameter
              + "'; it has "
              + String.join(", ", base.hyperparameters().keySet()));
    }
    Map<String, Method> points = new LinkedHashMap<>();
    for (String value : m.group(3).split(",")) {
      Map<String, Double> h = new LinkedHashMap<>(base.hyperparameters());
      try {
        h.put(parameter, Double.parseDouble(value.trim()));
      } catch (NumberFormatException e) {
        throw new InvalidInputException("--sweep " + text + ": '" + value + "' is not a number", e);
      }
      RuleConfig rule =
          InvalidInputException.validating(
              "--sweep " + text, () -> Rules.fromHyperparameters(base.name(), h));
      String label = parameter + "=" + value.trim();
      points.put(label, new Method(base.name() + "-" + label, List.of(rule)));
    }
    return new Sweep(base.name(), parameter, points);
  }

  private String header(ImportedModel imported, TaskStream tasks, double reference) {
    List<String> names = new ArrayList<>();
    tasks.tasks().forEach(t -> names.add(t.name()));
    return String.format(
        "Keras model %s (%s; test accuracy %.4f on the Fashion-MNIST test set of %s). Stream:"
            + " %s. Tasks: %s. %s, %d epoch(s) per new task, batch %d, up to %d training images per"
            + " task; importance at the import from %d original training images; seeds %s (the"
            + " minibatch order and importance samples; the tasks are the same in every run)."
            + " Joint training: the Keras model trained on all %d tasks' data together for as"
            + " many optimizer steps as a sequential run (%d).",
        imported.savedModel(),
        imported.spec(0).describe(),
        reference,
        tasks.source(),
        tasks.name(),
        String.join("; ", names),
        optimizer.config(),
        epochs,
        batch,
        trainExamples,
        importanceSamples,
        seeds.stream().map(String::valueOf).collect(Collectors.joining(", ")),
        tasks.tasks().size(),
        sequentialSteps(
            new ContinualTrainer(config(imported, List.of(), 0), TrainingListener.NONE), tasks));
  }

  private TrainerConfig config(ImportedModel imported, List<RuleConfig> rules, long seed) {
    return new TrainerConfig(
        imported.spec(seed).hidden(), epochs, batch, optimizer.config(), rules, seed);
  }

  /** Optimizer steps of one sequential run: training every new task. */
  private static long sequentialSteps(ContinualTrainer trainer, TaskStream tasks) {
    List<Task> all = tasks.tasks();
    return all.subList(1, all.size()).stream().mapToLong(trainer::steps).sum();
  }

  /**
   * Imports, consolidates on the original task, learns every new task; exports the final model to
   * {@code exportTo} unless it is null.
   */
  private MethodResult sequential(
      ImportedModel imported, TaskStream tasks, Method method, long seed, Path exportTo) {
    StepTimer timer = new StepTimer(progress.listener(method.key() + " seed " + seed));
    ContinualTrainer trainer = new ContinualTrainer(config(imported, method.rules(), seed), timer);
    long start = System.nanoTime();
    try (ModelSession model = imported.open(optimizer.config(), method.rules(), seed)) {
      trainer.consolidateLearned(model, tasks, 0, importanceSamples);
      double original = model.evaluate(tasks.tasks().get(0).test(), EVAL_BATCH);
      DataStream descriptor = ContinualTrainer.describe(tasks);
      AccuracyMatrix matrix = trainer.run(model, tasks, descriptor, new double[][] {{original}});
      if (exportTo != null) {
        SavedModels.export(model, descriptor, exportTo);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new MethodResult(
          method.key(),
          method.description(),
          matrix,
          matrix.finalAccuracies(),
          seconds / (matrix.tasks() - 1),
          timer.secondsPerStep());
    }
  }

  /** The Keras model trained on every task's data at once, as many steps as a sequential run. */
  private MethodResult joint(ImportedModel imported, TaskStream tasks, long seed) {
    StepTimer timer = new StepTimer(progress.listener("joint seed " + seed));
    ContinualTrainer trainer = new ContinualTrainer(config(imported, List.of(), seed), timer);
    long start = System.nanoTime();
    try (ModelSession model = imported.open(optimizer.config(), List.of(), seed)) {
      double[] accuracies = trainer.trainJointly(model, tasks, sequentialSteps(trainer, tasks));
      double seconds = (System.nanoTime() - start) / 1e9;
      return new MethodResult(
          JOINT,
          "joint training (upper bound)",
          null,
          accuracies,
          seconds / (tasks.tasks().size() - 1),
          timer.secondsPerStep());
    }
  }

  private static void report(PrintWriter pw, long seed, MethodResult r) {
    pw.printf(
        "seed %d  %-52s original %.4f  new-task average %.4f  average %.4f  (%.1f s per task)%n",
        seed,
        r.description(),
        Summary.original(r),
        Summary.newAverage(r),
        r.averageAccuracy(),
        r.secondsPerTask());
    pw.flush();
  }

  private String sweepSection(
      Sweep sweep, Summary summary, Map<String, List<MethodResult>> results, Path dir) {
    String file = "tradeoff-" + sweep.rule() + "-" + sweep.parameter() + ".png";
    StringBuilder md = new StringBuilder();
    md.append(String.format("\n## Strength sweep: %s %s\n\n", sweep.rule(), sweep.parameter()));
    List<List<MethodResult>> rows = new ArrayList<>(List.of(summary.finetune(), summary.joint()));
    List<AccuracyReport.Point> points = new ArrayList<>();
    sweep
        .points()
        .forEach(
            (label, method) -> {
              List<MethodResult> runs = results.get(method.description());
              rows.add(runs);
              points.add(
                  new AccuracyReport.Point(
                      label,
                      Summary.mean(runs, Summary::newAverage),
                      Summary.mean(runs, Summary::original)));
            });
    md.append(summary.table(rows)).append('\n');
    List<AccuracyReport.Point> references =
        List.of(
            new AccuracyReport.Point(
                "fine-tuning",
                Summary.mean(summary.finetune(), Summary::newAverage),
                Summary.mean(summary.finetune(), Summary::original)),
            new AccuracyReport.Point(
                "joint training",
                Summary.mean(summary.joint(), Summary::newAverage),
                Summary.mean(summary.joint(), Summary::original)));
    AccuracyReport.plotTradeOff(
        dir.resolve(file),
        String.format(
            "%s: original task vs new tasks, mean over %d seed(s)", sweep.rule(), seeds.size()),
        "new-task average accuracy",
        "original-task accuracy",
        sweep.rule() + ", one point per " + sweep.parameter(),
        points,
        references);
    md.append(String.format("![trade-off](%s)\n", file));
    return md.toString();
  }

  private static void write(Path file, String text) {
    StagedFile.writeString(file, "report", text);
  }

  /**
   * The report's tables: per method, the original-task accuracy (and its fraction of the Keras
   * accuracy), the new-task average, the average over all tasks, the fraction of the fine-tuning →
   * joint gap recovered and backward transfer, each as mean ± sd over seeds; and the final accuracy
   * on each task.
   *
   * @param reference the Keras model's test accuracy on the original task
   * @param finetune fine-tuning, one run per seed
   * @param joint joint training, one run per seed in the same order
   */
  private record Summary(double reference, List<MethodResult> finetune, List<MethodResult> joint) {
    static final String LEGEND =
        "Original task: final accuracy on the Keras model's task (in parentheses, as a fraction of"
            + " the Keras accuracy). New-task average: mean final accuracy over the new tasks."
            + " Average: over all tasks, the original included. Gap recovered: (A − A_fine-tuning)"
            + " / (A_joint − A_fine-tuning) for that average A, per seed. BWT: mean over the"
            + " earlier tasks of final accuracy minus accuracy just after learning the task (for"
            + " the original task, the Keras accuracy).";

    static double original(MethodResult r) {
      return r.finalAccuracies()[0];
    }

    static double newAverage(MethodResult r) {
      double[] acc = r.finalAccuracies();
      return Arrays.stream(acc, 1, acc.length).average().orElse(Double.NaN);
    }

    static double mean(List<MethodResult> runs, ToDoubleFunction<MethodResult> metric) {
      return runs.stream().mapToDouble(metric).average().orElse(Double.NaN);
    }

    private static String meanStd(List<MethodResult> runs, ToDoubleFunction<MethodResult> metric) {
      return AccuracyReport.meanStd(runs.stream().map(metric::applyAsDouble).toList());
    }

    /** One row per method, each a list of runs, one per seed. */
    String table(List<List<MethodResult>> rows) {
      StringBuilder s = new StringBuilder();
      s.append("| method | original task | new-task average | average, all tasks |")
          .append(" gap recovered | BWT |\n|---|---|---|---|---|---|\n");
      for (List<MethodResult> runs : rows) {
        MethodResult first = runs.get(0);
        boolean bound = runs == finetune || runs == joint;
        List<Double> gaps = new ArrayList<>();
        for (int seed = 0; seed < runs.size(); seed++) {
          gaps.add(
              ComparisonTable.gapRecovered(
                  runs.get(seed).averageAccuracy(),
                  finetune.get(seed).averageAccuracy(),
                  joint.get(seed).averageAccuracy()));
        }
        s.append("| ").append(first.description()).append(" | ");
        s.append(meanStd(runs, Summary::original));
        s.append(String.format(" (%.1f %%)", 100 * mean(runs, Summary::original) / reference));
        s.append(" | ").append(meanStd(runs, Summary::newAverage));
        s.append(" | ").append(meanStd(runs, MethodResult::averageAccuracy));
        s.append(" | ").append(bound ? "—" : AccuracyReport.meanStdPercent(gaps));
        s.append(" | ")
            .append(first.sequential() ? meanStd(runs, r -> r.matrix().backwardTransfer()) : "—");
        s.append(" |\n");
      }
      return s.toString();
    }

    /** The final accuracy on each task, one row per method. */
    String perTask(List<List<MethodResult>> rows) {
      AccuracyMatrix names = finetune.get(0).matrix();
      StringBuilder s = new StringBuilder("| method |");
      StringBuilder rule = new StringBuilder("|---|");
      for (int j = 0; j < names.tasks(); j++) {
        s.append(' ').append(j == 0 ? "original" : names.taskName(j)).append(" |");
        rule.append("---|");
      }
      s.append('\n').append(rule).append('\n');
      for (List<MethodResult> runs : rows) {
        s.append("| ").append(runs.get(0).description()).append(" |");
        for (int j = 0; j < names.tasks(); j++) {
          int task = j;
          s.append(' ').append(meanStd(runs, r -> r.finalAccuracies()[task])).append(" |");
        }
        s.append('\n');
      }
      return s.toString();
    }
  }
}
