package dev.metaplastic.cli;

import dev.metaplastic.data.TaskStream;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.NativeLog;
import dev.metaplastic.graphs.OptimizerConfig;
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
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("TensorFlow Java 1.1.0 on %d cores%n", Runtime.getRuntime().availableProcessors());
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
    Map<String, Double> millis = medianStepMillis(variants);
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
        "whole run: %s from %s, %d tasks x 2 epochs, %s MLP, batch %d, Adam (median of %d,"
            + " training and evaluation, data already in memory):%n",
        stream.name(),
        stream.source(),
        stream.tasks().size(),
        whole.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead()).describe(),
        BATCH,
        repeats);
    double runPlain = medianRunSeconds(whole, stream);
    out.printf("  %-22s %8.2f s%n", "Adam", runPlain);
    out.flush();
    for (String rule : Rules.names()) {
      double seconds =
          medianRunSeconds(
              whole.withRules(List.of(Rules.descriptor(rule).preset(StreamKind.SPLIT))), stream);
      out.printf("  %-22s %8.2f s   ÷ Adam %6.3f%n", "Adam + " + rule, seconds, seconds / runPlain);
      out.flush();
    }
    return 0;
  }

  /** A model, optimizer and rules whose training step is timed. */
  private record StepVariant(MlpSpec spec, OptimizerConfig optimizer, List<RuleConfig> rules) {}

  /**
   * Median milliseconds per training step of each variant. All variants are open at once and timed
   * in interleaved rounds, so that a slow phase of a shared machine hits all of them alike.
   */
  private Map<String, Double> medianStepMillis(Map<String, StepVariant> variants) {
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
          (name, v) -> sessions.put(name, new ModelSession(v.spec(), v.optimizer(), v.rules())));
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

  private double medianRunSeconds(TrainerConfig config, TaskStream stream) {
    double[] times = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long start = System.nanoTime();
      new ContinualTrainer(config, TrainingListener.NONE).run(stream);
      times[r] = (System.nanoTime() - start) / 1e9;
    }
    return median(times);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
