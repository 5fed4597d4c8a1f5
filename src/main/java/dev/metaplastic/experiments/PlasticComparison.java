package dev.metaplastic.experiments;

import dev.metaplastic.episodes.Episodes;
import dev.metaplastic.episodes.GoNoGoReversalTask;
import dev.metaplastic.experiments.EpisodeResult.ReversalAdaptation;
import dev.metaplastic.graphs.EpisodeTrainingGraph;
import dev.metaplastic.graphs.PlasticRnnSpec;
import dev.metaplastic.savedmodel.EpisodeModels;
import dev.metaplastic.train.EpisodeSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;

/**
 * The protocol of {@code metaplastic plastic}: plastic RNNs, one per fast-weight rule, and the
 * plain RNN of the same size, each trained on freshly sampled episodes of the same task and
 * evaluated on one fixed set. The training episodes come from a {@link Random} seeded with the
 * run's seed, so every rule sees the same sequence.
 */
public final class PlasticComparison {
  /** Episodes per evaluation or prediction call, to bound the memory of a large evaluation set. */
  public static final int CHUNK = 128;

  /** Window of {@link GoNoGoReversalTask#stepsToCriterion} after the reversal. */
  public static final int REVERSAL_WINDOW = 5;

  /** Fraction of correct steps in the window that counts as re-learned. */
  public static final double REVERSAL_CRITERION = 0.8;

  /** Steps before and from the reversal over which the accuracy around it is measured. */
  public static final int REVERSAL_SPAN = 10;

  private PlasticComparison() {}

  /** What the protocol reports while it runs. */
  public interface Listener {
    /** The progress of training {@code rule} for {@code steps} steps. */
    EpisodeProgress progress(String rule, long steps);

    /** {@code rule} has finished with {@code result}. */
    default void finished(EpisodeResult result) {}
  }

  /**
   * Trains and evaluates every rule of {@code rules}, in order.
   *
   * @param rules each rule's name ({@code none} for the plain RNN) and plasticity
   * @param exportDir where each trained network is exported as {@code exportDir/<rule>}, or null
   *     for none; a diverged network is not exported
   */
  public static List<EpisodeResult> run(
      Map<String, PlasticRnnSpec.Plasticity> rules,
      EpisodeRunConfig config,
      EvaluationSet evaluation,
      Path exportDir,
      Listener listener) {
    List<EpisodeResult> results = new ArrayList<>();
    rules.forEach(
        (rule, plasticity) -> {
          EpisodeResult result =
              run(
                  rule,
                  plasticity,
                  config,
                  evaluation,
                  listener.progress(rule, config.episodes()),
                  exportDir != null ? exportDir.resolve(rule) : null);
          results.add(result);
          listener.finished(result);
        });
    return results;
  }

  /** The network of a rule for the configuration's task, with the task's reward channel. */
  public static PlasticRnnSpec spec(EpisodeRunConfig config, PlasticRnnSpec.Plasticity plasticity) {
    return new PlasticRnnSpec(
        config.task().inputSize(),
        config.hidden(),
        config.task().outputSize(),
        config.task().steps(),
        plasticity,
        config.seed(),
        config.task().rewardChannel());
  }

  /**
   * Trains and evaluates one rule; a NaN loss stops the run and is reported in the result.
   *
   * @param exportDir where to export the trained network as a SavedModel ({@link
   *     EpisodeModels#export}), or null for no export; a diverged network is not exported
   */
  public static EpisodeResult run(
      String rule,
      PlasticRnnSpec.Plasticity plasticity,
      EpisodeRunConfig config,
      EvaluationSet evaluation,
      EpisodeProgress progress,
      Path exportDir) {
    PlasticRnnSpec spec = spec(config, plasticity);
    Episodes.Kind kind = config.task().kind();
    EpisodeTrainingGraph.Loss loss =
        kind == Episodes.Kind.CLASSIFICATION
            ? EpisodeTrainingGraph.Loss.CLASSIFICATION
            : EpisodeTrainingGraph.Loss.REGRESSION;
    int evaluations = (config.episodes() + config.evalEvery() - 1) / config.evalEvery();
    int[] steps = new int[evaluations];
    double[] metrics = new double[evaluations];
    int done = 0;
    String failure = null;
    long nanos = 0;
    long timed = 0;
    Random random = new Random(config.seed());
    try (EpisodeSession session =
            new EpisodeSession(
                spec,
                config.optimizer(),
                loss,
                EpisodeTrainingGraph.DEFAULT_CLIP_NORM,
                config.sessionOptions());
        progress) {
      for (int step = 1; step <= config.episodes(); step++) {
        Episodes batch = config.task().sample(config.batch(), random);
        long start = System.nanoTime();
        float value =
            session.trainEpisode(batch.inputs(), batch.targets(), batch.mask(), batch.batch());
        if (step > 1 || config.episodes() == 1) {
          nanos += System.nanoTime() - start;
          timed++;
        }
        progress.step(step, value);
        if (!Float.isFinite(value)) {
          failure = String.format("diverged: loss %s at step %d", value, step);
          break;
        }
        if (step % config.evalEvery() == 0 || step == config.episodes()) {
          steps[done] = step;
          metrics[done] = metric(session, evaluation.episodes());
          done++;
        }
      }
      ReversalAdaptation reversal =
          failure == null && evaluation.reversals() != null
              ? reversal(session, evaluation.reversals())
              : null;
      if (failure == null && exportDir != null) {
        EpisodeModels.export(session, config.task().name(), config.task().describe(), exportDir);
      }
      return new EpisodeResult(
          rule,
          spec.describe(),
          kind,
          Arrays.copyOf(steps, done),
          Arrays.copyOf(metrics, done),
          timed == 0 ? Double.NaN : nanos / 1e9 / timed,
          reversal,
          failure);
    }
  }

  /** The metric over every scored step of the set, evaluated in chunks. */
  static double metric(EpisodeSession session, Episodes set) {
    double weighted = 0;
    long scored = 0;
    for (int from = 0; from < set.batch(); from += CHUNK) {
      Episodes chunk = slice(set, from, Math.min(set.batch(), from + CHUNK));
      int count = chunk.scoredCount();
      if (count == 0) {
        continue;
      }
      EpisodeSession.Evaluation e =
          session.evaluate(chunk.inputs(), chunk.targets(), chunk.mask(), chunk.batch());
      weighted += (double) e.metric() * count;
      scored += count;
    }
    return scored == 0 ? Double.NaN : weighted / scored;
  }

  /**
   * Steps to re-reach the criterion after each evaluation episode's reversal, and the accuracy in
   * the {@value #REVERSAL_SPAN} steps before it and from it on.
   */
  static ReversalAdaptation reversal(EpisodeSession session, GoNoGoReversalTask.Sample sample) {
    Episodes set = sample.episodes();
    double sum = 0;
    int reached = 0;
    int[] before = new int[2];
    int[] after = new int[2];
    for (int from = 0; from < set.batch(); from += CHUNK) {
      Episodes chunk = slice(set, from, Math.min(set.batch(), from + CHUNK));
      float[] logits = session.predict(chunk.inputs(), chunk.batch());
      for (int b = 0; b < chunk.batch(); b++) {
        boolean[] correct = new boolean[set.steps()];
        for (int t = 0; t < set.steps(); t++) {
          correct[t] =
              chunk.scored(b, t)
                  && argmax(logits, (b * set.steps() + t) * set.outputSize(), set.outputSize())
                      == chunk.targetClass(b, t);
        }
        int r = sample.reversalStep(from + b);
        for (int t = Math.max(0, r - REVERSAL_SPAN);
            t < Math.min(set.steps(), r + REVERSAL_SPAN);
            t++) {
          if (chunk.scored(b, t)) {
            int[] tally = t < r ? before : after;
            tally[0] += correct[t] ? 1 : 0;
            tally[1]++;
          }
        }
        OptionalInt k =
            GoNoGoReversalTask.stepsToCriterion(correct, r, REVERSAL_WINDOW, REVERSAL_CRITERION);
        if (k.isPresent()) {
          sum += k.getAsInt();
          reached++;
        }
      }
    }
    return new ReversalAdaptation(
        reached == 0 ? Double.NaN : sum / reached,
        reached,
        set.batch(),
        before[1] == 0 ? Double.NaN : before[0] / (double) before[1],
        after[1] == 0 ? Double.NaN : after[0] / (double) after[1]);
  }

  private static int argmax(float[] values, int from, int count) {
    int best = 0;
    for (int o = 1; o < count; o++) {
      if (values[from + o] > values[from + best]) {
        best = o;
      }
    }
    return best;
  }

  /** Episodes {@code [from, to)} of a batch. */
  static Episodes slice(Episodes set, int from, int to) {
    if (from == 0 && to == set.batch()) {
      return set;
    }
    int steps = set.steps();
    return new Episodes(
        to - from,
        steps,
        set.inputSize(),
        set.outputSize(),
        Arrays.copyOfRange(
            set.inputs(), from * steps * set.inputSize(), to * steps * set.inputSize()),
        Arrays.copyOfRange(
            set.targets(), from * steps * set.outputSize(), to * steps * set.outputSize()),
        Arrays.copyOfRange(set.mask(), from * steps, to * steps),
        set.kind());
  }
}
