package dev.metaplastic.experiments;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.StreamKind;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark protocol that {@code bench --peers} runs here and in TensorFlow Python and PyTorch
 * ({@code bench/peers/protocol.py} states it): the demo's split Fashion-MNIST run with fine-tuning,
 * SI and EWC, and the median time of their training steps.
 */
public final class PeerProtocol {
  /** The demo's protocol: split Fashion-MNIST, 784-256-256, Adam 1e-3, batch 256, 2 epochs. */
  public static final TrainerConfig PROTOCOL =
      new TrainerConfig(
          List.of(256, 256), 2, 256, OptimizerConfig.Adam.withLearningRate(1e-3), List.of(), 0);

  /** The protocol's methods: fine-tuning, SI and EWC with the split streams' presets. */
  public static final List<String> METHODS = List.of("plain", "si", "ewc");

  private PeerProtocol() {}

  /**
   * The rules of a protocol method.
   *
   * @throws InvalidInputException if {@code method} is not one of {@link #METHODS}
   */
  public static List<RuleConfig> rules(String method) {
    return switch (method) {
      case "plain" -> List.of();
      case "si", "ewc" -> List.of(Rules.descriptor(method).preset(StreamKind.SPLIT));
      default ->
          throw new InvalidInputException(
              "unknown protocol method '" + method + "'; known: " + String.join(", ", METHODS));
    };
  }

  /** The average accuracy of one whole run of {@code method} on {@code stream}. */
  public static double run(String method, long seed, TaskStream stream, SessionOptions options) {
    return new ContinualTrainer(
            PROTOCOL.withSeed(seed).withRules(rules(method)), TrainingListener.NONE)
        .withSessionOptions(options)
        .run(stream)
        .averageAccuracy();
  }

  /**
   * Median milliseconds of a training step of {@code method} on a fixed random batch of the split
   * stream's shape (Benchmarks' {@link Benchmarks#stepMillis}).
   */
  public static double stepMillis(String method, long seed, int steps, SessionOptions options) {
    Benchmarks.StepVariant variant =
        new Benchmarks.StepVariant(
            PROTOCOL.withSeed(seed).modelFor(784, 5, 2), PROTOCOL.optimizer(), rules(method));
    return Benchmarks.stepMillis(
            Map.of(method, variant), PROTOCOL.batchSize(), 2, seed, steps, options)
        .get(method);
  }

  /** The process's peak resident memory in megabytes (Linux's VmHWM), if the system tells it. */
  public static Optional<Double> peakMegabytes() {
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
}
