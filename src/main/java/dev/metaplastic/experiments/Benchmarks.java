package dev.metaplastic.experiments;

import com.sun.management.OperatingSystemMXBean;
import dev.metaplastic.NativeLog;
import dev.metaplastic.data.Examples;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.data.Task;
import dev.metaplastic.data.TaskStream;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.SessionOptions;
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
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.NoOp;

/**
 * The costs the {@code bench} and {@code protocol} commands measure: training steps, an empty
 * {@code Session.run}, the predictor, whole runs. Measurements, not tests: the figures depend on
 * the machine and its load. Variants are timed in interleaved rounds, so that a slow phase of a
 * shared machine hits all of them alike.
 */
public final class Benchmarks {
  /** Rounds a step timing is split into. */
  public static final int ROUNDS = 10;

  /** Untimed training steps before the rounds. */
  private static final int WARM_UP = 20;

  private Benchmarks() {}

  /** A model, optimizer and rules whose training step is timed. */
  public record StepVariant(MlpSpec spec, OptimizerConfig optimizer, List<RuleConfig> rules) {}

  /**
   * Wall and process CPU seconds of one variant's whole runs, one entry per round, and the wall
   * seconds of each run's phases: {@code setup} until the first task starts (graph build, session,
   * initial values), {@code steps} in training steps, and {@code rest} the remainder (task
   * boundaries and evaluation).
   */
  public record RunTimes(
      double[] wall, double[] cpu, double[] setup, double[] steps, double[] rest) {
    RunTimes(int rounds) {
      this(
          new double[rounds],
          new double[rounds],
          new double[rounds],
          new double[rounds],
          new double[rounds]);
    }
  }

  /**
   * A whole run's wall time from its creation, split by the trainer's calls: until the first task
   * starts, from a task's start or the previous step to each step's end, and everything else.
   */
  private static final class Phases implements TrainingListener {
    private final long start = System.nanoTime();
    private long last = start;
    private long setup = -1;
    private long steps;

    @Override
    public void taskStarted(Task task, int index, long total) {
      long now = System.nanoTime();
      if (setup < 0) {
        setup = now - start;
      }
      last = now;
    }

    @Override
    public void stepFinished(Task task, long step, ModelSession.StepResult result) {
      long now = System.nanoTime();
      steps += now - last;
      last = now;
    }

    /**
     * Records the run, which has just ended, as round {@code round} of {@code times}: its wall time
     * and phases.
     */
    void record(RunTimes times, int round) {
      long wall = System.nanoTime() - start;
      long beforeFirstTask = Math.max(setup, 0);
      times.wall()[round] = wall / 1e9;
      times.setup()[round] = beforeFirstTask / 1e9;
      times.steps()[round] = steps / 1e9;
      times.rest()[round] = (wall - beforeFirstTask - steps) / 1e9;
    }
  }

  /**
   * The bench's step variants on {@code mlp}: SGD alone and with every rule but meta (split-stream
   * presets), Adam alone and with meta, and a binarized {@code mlp} under Adam alone and with meta
   * (permuted-stream preset), named like "SGD + ewc".
   */
  public static Map<String, StepVariant> stepVariants(MlpSpec mlp) {
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
    MlpSpec bnn =
        new MlpSpec(
            mlp.inputSize(), mlp.hidden(), mlp.heads(), mlp.classesPerHead(), mlp.seed(), true);
    variants.put("BNN, Adam", new StepVariant(bnn, adam, List.of()));
    variants.put(
        "BNN, Adam + meta",
        new StepVariant(
            bnn, adam, List.of(Metaplasticity.DESCRIPTOR.preset(StreamKind.PERMUTED, true))));
    return variants;
  }

  /** {@code base} alone, named "Adam", and with each rule's split-stream preset ("Adam + si"). */
  public static Map<String, TrainerConfig> wholeRuns(TrainerConfig base) {
    Map<String, TrainerConfig> runs = new LinkedHashMap<>();
    runs.put("Adam", base);
    for (String rule : Rules.names()) {
      runs.put(
          "Adam + " + rule,
          base.withRules(List.of(Rules.descriptor(rule).preset(StreamKind.SPLIT))));
    }
    return runs;
  }

  /**
   * Median milliseconds per training step of each variant on one fixed random batch (features
   * uniform in [0, 1), labels uniform over {@code classes}, all on head 0, drawn from {@code
   * seed}): 20 warm-up steps each and a task boundary on the batch (so that a rule's steps carry
   * what it keeps of a past task, such as GPM's protected subspace), then {@value #ROUNDS} rounds
   * of {@code steps / ROUNDS} steps. All variants are open at once and take turns within a round.
   */
  public static Map<String, Double> stepMillis(
      Map<String, StepVariant> variants,
      int batch,
      int classes,
      long seed,
      int steps,
      SessionOptions options) {
    int features = variants.values().iterator().next().spec().inputSize();
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[batch * features];
    int[] y = new int[batch];
    int[] task = new int[batch];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < batch; i++) {
      y[i] = random.nextInt(classes);
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
            for (int i = 0; i < WARM_UP; i++) {
              model.trainStep(x, y, task, batch);
            }
            model.estimateImportance(new Examples(x, y, task, features), seed);
            model.consolidate();
            times.put(name, new double[ROUNDS]);
          });
      int perRound = Math.max(1, steps / ROUNDS);
      for (int round = 0; round < ROUNDS; round++) {
        for (var entry : sessions.entrySet()) {
          long start = System.nanoTime();
          for (int i = 0; i < perRound; i++) {
            entry.getValue().trainStep(x, y, task, batch);
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

  /** Median microseconds of 5000 runs of an empty graph's no-op, after 500 untimed ones. */
  public static double emptyRunMicros() {
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

  /**
   * {@link PredictorBenchmark}'s report on a new {@code mlp} exported to a temporary SavedModel,
   * deleted afterwards.
   */
  public static String predictorReport(MlpSpec mlp, OptimizerConfig optimizer, int iterations) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("metaplastic-bench-");
      Path model = dir.resolve("model");
      try (ModelSession session = new ModelSession(mlp, optimizer, List.of())) {
        SavedModels.export(session, StreamDescription.NONE, model);
      }
      return PredictorBenchmark.run(model, iterations);
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

  /**
   * The times of {@code repeats} whole runs (training and evaluation) of each configuration on
   * {@code stream}, with their phases; the runs take turns within a round, in an order that rotates
   * from round to round.
   */
  public static Map<String, RunTimes> runSeconds(
      Map<String, TrainerConfig> runs, TaskStream stream, int repeats, SessionOptions options) {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    List<String> names = List.copyOf(runs.keySet());
    Map<String, RunTimes> times = new LinkedHashMap<>();
    names.forEach(name -> times.put(name, new RunTimes(repeats)));
    for (int r = 0; r < repeats; r++) {
      for (int i = 0; i < names.size(); i++) {
        String name = names.get((i + r) % names.size());
        long cpu = os.getProcessCpuTime();
        Phases phases = new Phases();
        new ContinualTrainer(runs.get(name), phases).withSessionOptions(options).run(stream);
        phases.record(times.get(name), r);
        times.get(name).cpu()[r] = (os.getProcessCpuTime() - cpu) / 1e9;
      }
    }
    return times;
  }

  /** The median over rounds of {@code times[r] / base[r]}. */
  public static double medianRatio(double[] times, double[] base) {
    double[] ratios = new double[times.length];
    Arrays.setAll(ratios, r -> times[r] / base[r]);
    return median(ratios);
  }

  /**
   * The machine's load, to judge a measurement by: other processes on the same cores slow
   * everything down, memory-bound work most.
   */
  public static String machineLoad() {
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? "load average unknown" : String.format("load average %.2f", load);
  }

  /** The median of {@code values}. */
  public static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
