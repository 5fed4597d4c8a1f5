package dev.metaplastic.cli;

import com.google.gson.Gson;
import dev.metaplastic.InvalidInputException;
import dev.metaplastic.NativeLog;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.data.TaskStreams;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.StreamKind;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.tensorflow.TensorFlow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic protocol} (hidden): our side of the benchmark protocol that {@code bench
 * --peers} also runs in TensorFlow Python and PyTorch ({@code bench/peers/protocol.py} states it),
 * with the same options and the same output: one JSON object per line, {@code import} (JVM start to
 * TensorFlow's native library loaded), {@code data}, one {@code run} per whole run (graph built,
 * trained, consolidated, tested), one {@code step} per method (median milliseconds of a training
 * step on a fixed random batch) and {@code memory} (the process's peak resident size, where the
 * system tells it).
 */
@Command(
    name = "protocol",
    hidden = true,
    description = "The benchmark protocol of bench --peers, as JSON lines (used by bench).")
final class ProtocolCommand implements Callable<Integer> {
  /** The demo's protocol: split Fashion-MNIST, 784-256-256, Adam 1e-3, batch 256, 2 epochs. */
  static final TrainerConfig PROTOCOL =
      new TrainerConfig(
          List.of(256, 256), 2, 256, OptimizerConfig.Adam.withLearningRate(1e-3), List.of(), 0);

  /** The protocol's methods: fine-tuning, SI and EWC with the split streams' presets. */
  static final List<String> METHODS = List.of("plain", "si", "ewc");

  private static final Gson GSON = new Gson();

  @Spec CommandSpec spec;
  @Mixin ThreadOptions threads;

  @Option(names = "--data-dir", description = "Fashion-MNIST's directory.")
  Path dataDir = FashionMnist.DEFAULT_DIR;

  @Option(names = "--fresh", description = "A method whose first run is timed before anything.")
  String fresh;

  @Option(
      names = "--methods",
      split = ",",
      defaultValue = "plain,si,ewc",
      description = "Methods of the repeated runs.")
  List<String> methods;

  @Option(names = "--repeats", defaultValue = "1", description = "Repeated runs of each method.")
  int repeats;

  @Option(names = "--steps", defaultValue = "200", description = "Timed steps per method.")
  int steps;

  @Option(names = "--seed", defaultValue = "0", description = "Seed.")
  long seed;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<String> plan = new ArrayList<>();
    if (fresh != null) {
      plan.add(fresh);
    }
    for (int r = 0; r < repeats; r++) {
      plan.addAll(methods);
    }
    plan.forEach(ProtocolCommand::rules);
    NativeLog.loadTensorFlow();
    String version = TensorFlow.version();
    emit(out, "event", "import", "seconds", uptimeSeconds());
    emit(
        out,
        "event",
        "peer",
        "peer",
        "metaplastic",
        "version",
        "TensorFlow Java 1.1.0 (TensorFlow " + version + ")",
        "threads",
        threads.threads);
    long start = System.nanoTime();
    TaskStream stream = TaskStreams.named("split", dataDir, 5, 0);
    emit(out, "event", "data", "seconds", (System.nanoTime() - start) / 1e9);
    SessionOptions options = threads.sessionOptions();
    for (int i = 0; i < plan.size(); i++) {
      String method = plan.get(i);
      start = System.nanoTime();
      double accuracy =
          new ContinualTrainer(
                  PROTOCOL.withSeed(seed).withRules(rules(method)), TrainingListener.NONE)
              .withSessionOptions(options)
              .run(stream)
              .averageAccuracy();
      emit(
          out,
          "event",
          "run",
          "kind",
          fresh != null && i == 0 ? "fresh" : "repeated",
          "method",
          method,
          "seconds",
          (System.nanoTime() - start) / 1e9,
          "accuracy",
          accuracy);
    }
    if (steps > 0) {
      for (String method : METHODS) {
        emit(out, "event", "step", "method", method, "milliseconds", stepMillis(method, options));
      }
    }
    peakMegabytes().ifPresent(mb -> emit(out, "event", "memory", "peak_mb", mb));
    return 0;
  }

  /** The process's peak resident memory (Linux's VmHWM), if the system tells it. */
  private static Optional<Double> peakMegabytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Optional.of(Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** The rules of a protocol method. */
  static List<RuleConfig> rules(String method) {
    return switch (method) {
      case "plain" -> List.of();
      case "si", "ewc" -> List.of(Rules.descriptor(method).preset(StreamKind.SPLIT));
      default ->
          throw new InvalidInputException(
              "unknown protocol method '" + method + "'; known: " + String.join(", ", METHODS));
    };
  }

  /**
   * Median milliseconds of a training step on a fixed random batch: 20 warm-up steps, 10 rounds.
   */
  private double stepMillis(String method, SessionOptions options) {
    int batch = PROTOCOL.batchSize();
    MlpSpec mlp = PROTOCOL.withSeed(seed).modelFor(784, 5, 2);
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[batch * 784];
    int[] y = new int[batch];
    int[] task = new int[batch];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < batch; i++) {
      y[i] = random.nextInt(2);
    }
    try (ModelSession model =
        new ModelSession(mlp, PROTOCOL.optimizer(), rules(method), null, options)) {
      for (int i = 0; i < 20; i++) {
        model.trainStep(x, y, task, batch);
      }
      int perRound = Math.max(1, steps / 10);
      double[] rounds = new double[10];
      for (int r = 0; r < rounds.length; r++) {
        long start = System.nanoTime();
        for (int i = 0; i < perRound; i++) {
          model.trainStep(x, y, task, batch);
        }
        rounds[r] = (System.nanoTime() - start) / 1e6 / perRound;
      }
      return BenchCommand.median(rounds);
    }
  }

  private static double uptimeSeconds() {
    return ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
  }

  /** One JSON object on one line, from alternating keys and values. */
  private static void emit(PrintWriter out, Object... keysAndValues) {
    Map<String, Object> fields = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      fields.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    out.println(GSON.toJson(fields));
    out.flush();
  }
}
