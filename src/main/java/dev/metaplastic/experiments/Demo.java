package dev.metaplastic.experiments;

import dev.metaplastic.data.TaskStream;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.train.TrainerConfig;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The protocol of {@code metaplastic demo}: fine-tuning (the lower bound), Synaptic Intelligence
 * and joint training (the upper bound) on the same stream, seed 0, 1, … in turn.
 */
public final class Demo {
  private Demo() {}

  /**
   * The demo's methods: fine-tuning, {@code si} with {@code si}'s configuration, joint training.
   */
  public static List<Method> methods(RuleConfig si) {
    return List.of(
        Method.fineTuning(), Method.rules(si.name(), List.of(si)), Method.jointTraining());
  }

  /**
   * Runs the demo.
   *
   * @param stream the stream every seed trains
   * @param base the network, optimizer, epochs and batch size
   * @param si Synaptic Intelligence's configuration
   * @param seeds how many seeds: 0, 1, …, seeds − 1
   */
  public static ComparisonResult run(
      TaskStream stream,
      TrainerConfig base,
      RuleConfig si,
      int seeds,
      ExperimentListener listener) {
    List<Long> all = LongStream.range(0, seeds).boxed().toList();
    return new Comparison(base, methods(si)).run(seed -> stream, all, listener);
  }
}
