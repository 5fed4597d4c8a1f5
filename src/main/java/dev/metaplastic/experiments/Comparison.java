package dev.metaplastic.experiments;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.data.TaskStream;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.train.AccuracyMatrix;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.TrainerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * The comparison protocol of {@code metaplastic compare} and {@code demo}: every method trains the
 * same stream with the same network, optimizer, minibatch order and initial weights, seed by seed;
 * sequential methods learn the tasks one after another and are measured by their accuracy matrix,
 * joint training learns them all at once for as many epochs.
 */
public final class Comparison {
  private final TrainerConfig base;
  private final List<Method> methods;
  private final SessionOptions options;

  /**
   * @param base the network, optimizer, epochs and batch size of every method (its rules and seed
   *     are replaced by each method's and each run's)
   * @param methods the methods, in the order they run and are reported
   */
  public Comparison(TrainerConfig base, List<Method> methods) {
    this(base, methods, SessionOptions.DEFAULT);
  }

  private Comparison(TrainerConfig base, List<Method> methods, SessionOptions options) {
    checkArgument(!methods.isEmpty(), "a comparison needs at least one method");
    this.base = base;
    this.methods = List.copyOf(methods);
    this.options = options;
  }

  /** The same comparison with its training sessions run with {@code options} (threads). */
  public Comparison withSessionOptions(SessionOptions options) {
    return new Comparison(base, methods, options);
  }

  /**
   * The comparison in one line, for reports: the stream, model, optimizer, epochs, batch and {@code
   * seeds}.
   */
  public String describe(TaskStream stream, List<Long> seeds) {
    return String.format(
        "%s from %s, %d tasks; model %s; %s; %d epochs per task, batch %d, %s %s",
        stream.name(),
        stream.source(),
        stream.tasks().size(),
        base.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead()).describe(),
        base.optimizer(),
        base.epochs(),
        base.batchSize(),
        seeds.size() == 1 ? "seed" : "seeds",
        seeds.stream().map(String::valueOf).collect(Collectors.joining(", ")));
  }

  /** The methods, in order. */
  public List<Method> methods() {
    return methods;
  }

  /**
   * Runs every method once for each seed, seed after seed, each seed on {@code
   * streams.apply(seed)}.
   */
  public ComparisonResult run(
      LongFunction<TaskStream> streams, List<Long> seeds, ExperimentListener listener) {
    checkArgument(!seeds.isEmpty(), "a comparison needs at least one seed");
    Map<String, List<MethodResult>> runs = new LinkedHashMap<>();
    for (long seed : seeds) {
      TaskStream stream = streams.apply(seed);
      for (Method method : methods) {
        MethodResult result = run(method, seed, stream, listener);
        runs.computeIfAbsent(method.name(), k -> new ArrayList<>()).add(result);
        listener.finished(seed, result);
      }
    }
    return new ComparisonResult(seeds, runs);
  }

  /** Runs every method once on {@code stream} with the base configuration's seed. */
  public List<MethodResult> run(TaskStream stream, ExperimentListener listener) {
    return run(seed -> stream, List.of(base.seed()), listener).firstSeed();
  }

  private MethodResult run(Method method, long seed, TaskStream stream, ExperimentListener out) {
    TrainerConfig config = base.withRules(method.rules()).withSeed(seed);
    StepTimer timer = new StepTimer(out.training(method, seed));
    ContinualTrainer trainer = new ContinualTrainer(config, timer).withSessionOptions(options);
    long start = System.nanoTime();
    if (method.joint()) {
      double[] accuracies = trainer.trainJointly(stream);
      double seconds = (System.nanoTime() - start) / 1e9;
      return new MethodResult(
          method.name(),
          "joint training (all tasks together)",
          null,
          accuracies,
          seconds / stream.tasks().size(),
          timer.secondsPerStep());
    }
    AccuracyMatrix matrix = trainer.run(stream);
    double seconds = (System.nanoTime() - start) / 1e9;
    return MethodResult.sequential(
        method, matrix, seconds / matrix.tasks(), timer.secondsPerStep());
  }
}
