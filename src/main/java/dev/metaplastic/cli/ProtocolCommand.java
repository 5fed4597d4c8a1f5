package dev.metaplastic.cli;

import com.google.gson.Gson;
import dev.metaplastic.NativeLog;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.data.TaskStreams;
import dev.metaplastic.experiments.PeerProtocol;
import dev.metaplastic.graphs.SessionOptions;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    plan.forEach(PeerProtocol::rules);
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
      double accuracy = PeerProtocol.run(method, seed, stream, options);
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
      for (String method : PeerProtocol.METHODS) {
        double millis = PeerProtocol.stepMillis(method, seed, steps, options);
        emit(out, "event", "step", "method", method, "milliseconds", millis);
      }
    }
    PeerProtocol.peakMegabytes().ifPresent(mb -> emit(out, "event", "memory", "peak_mb", mb));
    return 0;
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
