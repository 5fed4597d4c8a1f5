package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.experiments.Benchmarks;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.train.TrainerConfig;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
        Benchmarks.machineLoad(),
        LocalDate.now());
    MlpSpec mlp = new MlpSpec(784, List.of(256, 256), 1, 10, 0);
    Map<String, Double> millis =
        Benchmarks.stepMillis(Benchmarks.stepVariants(mlp), BATCH, 10, 1, steps, options);
    out.printf(
        "training step, %s MLP, batch %d (median over %d interleaved rounds of %d steps):%n",
        mlp.describe(), BATCH, Benchmarks.ROUNDS, steps / Benchmarks.ROUNDS);
    millis.forEach(
        (name, ms) -> {
          String base = name.contains(" + ") ? name.substring(0, name.indexOf(" + ")) : name;
          out.printf("  %-22s %8.3f ms   ÷ %-12s %6.3f%n", name, ms, base, ms / millis.get(base));
        });
    out.printf("empty Session.run (median of 5000): %.1f µs%n", Benchmarks.emptyRunMicros());
    out.flush();
    out.printf(
        "Predictor on an exported %s SavedModel vs a raw Session.run of the same graph:%n",
        mlp.describe());
    out.print(Benchmarks.predictorReport(mlp, new OptimizerConfig.Sgd(0.01), predictorIterations));
    out.flush();

    TaskStream stream = streamOptions.open(0, out).stream();
    TrainerConfig whole =
        new TrainerConfig(
            List.of(256, 256),
            2,
            BATCH,
            OptimizerConfig.Adam.withLearningRate(0.001),
            List.of(),
            0);
    out.printf(
        "whole run: %s from %s, %d tasks x 2 epochs, %s MLP, batch %d, Adam (median of %d"
            + " interleaved rounds, training and evaluation, data already in memory; wall and"
            + " process CPU seconds, which other processes on the machine disturb less; ÷ Adam is"
            + " the median of each round's ratio; the wall time's phases: setup until the first"
            + " task starts, training steps, and the rest, task boundaries and evaluation):%n",
        stream.name(),
        stream.source(),
        stream.tasks().size(),
        whole.modelFor(stream.featureSize(), stream.heads(), stream.classesPerHead()).describe(),
        BATCH,
        repeats);
    Map<String, Benchmarks.RunTimes> seconds =
        Benchmarks.runSeconds(Benchmarks.wholeRuns(whole), stream, repeats, options);
    Benchmarks.RunTimes plain = seconds.get("Adam");
    out.printf(
        "  %-22s %8s %8s   %-12s %-11s %8s %8s %8s   %s%n",
        "", "wall", "CPU", "wall ÷ Adam", "CPU ÷ Adam", "setup", "steps", "rest", "steps ÷ Adam");
    seconds.forEach(
        (name, times) ->
            out.printf(
                "  %-22s %7.2fs %7.2fs   %-12.3f %-11.3f %7.2fs %7.2fs %7.2fs   %.3f%n",
                name,
                Benchmarks.median(times.wall()),
                Benchmarks.median(times.cpu()),
                Benchmarks.medianRatio(times.wall(), plain.wall()),
                Benchmarks.medianRatio(times.cpu(), plain.cpu()),
                Benchmarks.median(times.setup()),
                Benchmarks.median(times.steps()),
                Benchmarks.median(times.rest()),
                Benchmarks.medianRatio(times.steps(), plain.steps())));
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
}
