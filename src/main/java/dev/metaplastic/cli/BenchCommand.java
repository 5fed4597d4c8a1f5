package dev.metaplastic.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.metaplastic.InvalidInputException;
import dev.metaplastic.NativeLog;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.ops.Metaplasticity;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.StreamKind;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.serve.PredictorBenchmark;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.NoOp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic bench}: costs measured in one JVM, printed with their ratios. A command, not a
 * test: timings depend on the machine.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure step costs, Session.run overhead and whole-run wall times.")
final class BenchCommand implements Callable<Integer> {
  private static final int BATCH = 256;
  private static final int ROUNDS = 10;

  @Spec CommandSpec spec;
  @Mixin StreamOptions streamOptions;
  @Mixin ThreadOptions threads;

  @Option(
      names = "--steps",
      defaultValue = "200",
      description = "Timed training steps per variant. Default: ${DEFAULT-VALUE}.")
  int steps;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "Whole runs per variant (the median is reported). Default: ${DEFAULT-VALUE}.")
  int repeats;

  @Option(
      names = "--predictor-iterations",
      defaultValue = "2000",
      description = "Timed predictor calls per batch size. Default: ${DEFAULT-VALUE}.")
  int predictorIterations;

  @Option(
      names = "--peers",
      description =
          "Also run the demo's protocol in TensorFlow Python and PyTorch (bench/peers) and print"
              + " our times ÷ theirs.")
  boolean peers;

  @Option(
      names = "--python",
      paramLabel = "PATH",
      description =
          "Python for --peers. Default: $METAPLASTIC_PYTHON, else the active venv, else python3"
              + " on the PATH.")
  String python;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Fresh processes per framework for --peers. Default: ${DEFAULT-VALUE}.")
  int rounds;

  @Override
  public Integer call() {
    InvalidInputException.check(rounds >= 1, "--rounds must be at least 1, got %s", rounds);
    PrintWriter out = spec.commandLine().getOut();
    SessionOptions options = threads.sessionOptions();
    out.printf(
        "TensorFlow Java 1.1.0 on %d cores, %s; %s, %s%n",
        Runtime.getRuntime().availableProcessors(),
        options.describe(),
        machineLoad(),
        LocalDate.now());
    MlpSpec mlp = new MlpSpec(784, List.of(256, 256), 1, 10, 0);
    OptimizerConfig sgd = new OptimizerConfig.Sgd(0.01);
    OptimizerConfig adam = OptimizerConfig.Adam.withLearningRate(0.001);
    Map<String, StepVariant> variants = new LinkedHashMap<>();
    variants.put("SGD", new StepVariant(mlp, sgd, List.of()));
    for (String rule : Rules.names()) {
      if (!rule.equals("meta")) {
        RuleConfig config = Rules.descriptor(rule).preset(StreamKind.SPLIT);
        variants.put("SGD + " + rule, new StepVariant(mlp, sgd, List.of(config)));
      }
    }
    variants.put("Adam", new StepVariant(mlp, adam, List.of()));
    variants.put(
        "Adam + meta",
        new StepVariant(mlp, adam, List.of(Metaplasticity.DESCRIPTOR.preset(StreamKind.SPLIT))));
    MlpSpec bnn = new MlpSpec(784, List.of(256, 256), 1, 10, 0, true);
    variants.put("BNN, Adam", new StepVariant(bnn, adam, List.of()));
    variants.put(
        "BNN, Adam + meta",
        new StepVariant(
            bnn, adam, List.of(Metaplasticity.DESCRIPTOR.preset(StreamKind.PERMUTED, true))));
    Map<String, Double> millis = medianStepMillis(variants, options);
    out.printf(
        "training step, %s MLP, batch %d (median over %d interleaved rounds of %d steps):%n",
        mlp.describe(), BATCH, ROUNDS, steps / ROUNDS);
    millis.forEach(
        (name, ms) -> {
          String base = name.contains(" + ") ? name.substring(0, name.indexOf(" + ")) : name;
          out.printf("  %-22s %8.3f ms   ÷ %-12s %6.3f%n", name, ms, base, ms / millis.get(base));
        });
    out.printf("empty Session.run (median of 5000): %.1f µs%n", emptyRunMicros());
    out.flush();
    out.printf(
        "Predictor on an exported %s SavedModel vs a raw Session.run of the same graph:%n",
        mlp.describe());
    out.print(predictorReport(mlp, sgd));
    out.flush();

    TaskStream stream = streamOptions.open(0, out).stream();
    TrainerConfig whole = new TrainerConfig(List.of(256, 256), 2, BATCH, adam, List.of(), 0);
    out.printf(
        "whole run: %s from %s, %d tasks x 2 epochs, %s MLP, batch %d, Adam (median of %d"
            + " interleaved rounds, training and evaluation, data already in memory; wall and"
            + " process CPU seconds, which other processes on the machine disturb less; ÷ Adam is"
            + " the median of each round's ratio):%n",
        stream.name(),
        stream.source(),
        stream.tasks().size(),
        whole.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead()).describe(),
        BATCH,
        repeats);
    Map<String, TrainerConfig> runs = new LinkedHashMap<>();
    runs.put("Adam", whole);
    for (String rule : Rules.names()) {
      runs.put(
          "Adam + " + rule,
          whole.withRules(List.of(Rules.descriptor(rule).preset(StreamKind.SPLIT))));
    }
    Map<String, RunTimes> seconds = runSeconds(runs, stream, options);
    RunTimes plain = seconds.get("Adam");
    out.printf("  %-22s %8s %8s   %-12s %s%n", "", "wall", "CPU", "wall ÷ Adam", "CPU ÷ Adam");
    seconds.forEach(
        (name, times) ->
            out.printf(
                "  %-22s %7.2fs %7.2fs   %-12.3f %.3f%n",
                name,
                median(times.wall()),
                median(times.cpu()),
                medianRatio(times.wall(), plain.wall()),
                medianRatio(times.cpu(), plain.cpu())));
    out.flush();
    if (peers) {
      new PeerBench(
              python,
              streamOptions.dataDir != null ? streamOptions.dataDir : FashionMnist.DEFAULT_DIR,
              rounds,
              steps,
              options)
          .run(out);
    }
    return 0;
  }

  /** A model, optimizer and rules whose training step is timed. */
  private record StepVariant(MlpSpec spec, OptimizerConfig optimizer, List<RuleConfig> rules) {}

  /**
   * Median milliseconds per training step of each variant. All variants are open at once and timed
   * in interleaved rounds, so that a slow phase of a shared machine hits all of them alike.
   */
  private Map<String, Double> medianStepMillis(
      Map<String, StepVariant> variants, SessionOptions options) {
    SplittableRandom random = new SplittableRandom(1);
    float[] x = new float[BATCH * 784];
    int[] y = new int[BATCH];
    int[] task = new int[BATCH];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < BATCH; i++) {
      y[i] = random.nextInt(10);
    }
    Map<String, ModelSession> sessions = new LinkedHashMap<>();
    try {
      variants.forEach(
          (name, v) ->
              sessions.put(
                  name, new ModelSession(v.spec(), v.optimizer(), v.rules(), null, options)));
      Map<String, double[]> times = new LinkedHashMap<>();
      sessions.forEach(
          (name, model) -> {
            for (int i = 0; i < 20; i++) {
              model.trainStep(x, y, task, BATCH);
            }
            times.put(name, new double[ROUNDS]);
          });
      int perRound = Math.max(1, steps / ROUNDS);
      for (int round = 0; round < ROUNDS; round++) {
        for (var entry : sessions.entrySet()) {
          long start = System.nanoTime();
          for (int i = 0; i < perRound; i++) {
            entry.getValue().trainStep(x, y, task, BATCH);
          }
          times.get(entry.getKey())[round] = (System.nanoTime() - start) / 1e6 / perRound;
        }
      }
      Map<String, Double> medians = new LinkedHashMap<>();
      times.forEach((name, t) -> medians.put(name, median(t)));
      return medians;
    } finally {
      sessions.values().forEach(ModelSession::close);
    }
  }

  private String predictorReport(MlpSpec mlp, OptimizerConfig optimizer) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("metaplastic-bench-");
      Path model = dir.resolve("model");
      try (ModelSession session = new ModelSession(mlp, optimizer, List.of())) {
        SavedModels.export(session, DataStream.getDefaultInstance(), model);
      }
      return PredictorBenchmark.run(model, predictorIterations);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the benchmark", e);
    } finally {
      if (dir != null) {
        try {
          Outputs.deleteTree(dir);
        } catch (IOException e) {
          System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
      }
    }
  }

  private static double emptyRunMicros() {
    NativeLog.loadTensorFlow();
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      NoOp noOp = Ops.create(g).noOp();
      double[] times = new double[5000];
      for (int i = 0; i < 500; i++) {
        s.run(noOp);
      }
      for (int i = 0; i < times.length; i++) {
        long start = System.nanoTime();
        s.run(noOp);
        times[i] = (System.nanoTime() - start) / 1e3;
      }
      return median(times);
    }
  }

  /** Wall and process CPU seconds of one variant's whole runs, one entry per round. */
  private record RunTimes(double[] wall, double[] cpu) {}

  /**
   * The times of each whole run in every round; the runs take turns within a round, in an order
   * that rotates from round to round, so that a slow phase of a shared machine hits all alike.
   */
  private Map<String, RunTimes> runSeconds(
      Map<String, TrainerConfig> runs, TaskStream stream, SessionOptions options) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    List<String> names = List.copyOf(runs.keySet());
    Map<String, RunTimes> times = new LinkedHashMap<>();
    names.forEach(name -> times.put(name, new RunTimes(new double[repeats], new double[repeats])));
    for (int r = 0; r < repeats; r++) {
      for (int i = 0; i < names.size(); i++) {
        String name = names.get((i + r) % names.size());
        long wall = System.nanoTime();
        long cpu = os.getProcessCpuTime();
        new ContinualTrainer(runs.get(name), TrainingListener.NONE)
            .withSessionOptions(options)
            .run(stream);
        times.get(name).cpu()[r] = (os.getProcessCpuTime() - cpu) / 1e9;
        times.get(name).wall()[r] = (System.nanoTime() - wall) / 1e9;
      }
    }
    return times;
  }

  /** The median over rounds of {@code times[r] / base[r]}. */
  private static double medianRatio(double[] times, double[] base) {
    double[] ratios = new double[times.length];
    Arrays.setAll(ratios, r -> times[r] / base[r]);
    return median(ratios);
  }

  /**
   * The machine's load when the bench starts, to judge its numbers by: other processes on the same
   * cores slow everything down, memory-bound work most.
   */
  static String machineLoad() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? "load average unknown" : String.format("load average %.2f", load);
  }

  /** The median of {@code values}. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
