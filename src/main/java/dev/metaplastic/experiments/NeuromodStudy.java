package dev.metaplastic.experiments;

import dev.metaplastic.episodes.GoNoGoScores;
import dev.metaplastic.episodes.RewardedGoNoGoTask;
import dev.metaplastic.graphs.GoNoGoAgent;
import dev.metaplastic.graphs.GoNoGoAgentSpec;
import dev.metaplastic.graphs.GoNoGoTrainingGraph;
import dev.metaplastic.graphs.RewardSchedule;
import dev.metaplastic.graphs.SessionOptions;
import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.Neuromodulators;
import dev.metaplastic.train.GoNoGoSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The protocol of {@code metaplastic neuromod}: Go/No-Go agents, one per condition (the plain
 * recurrent network, or a plastic one whose trace is gated by a set of {@link
 * dev.metaplastic.ops.Neuromodulators}), each trained on freshly sampled episodes played with its
 * own actions and evaluated on one fixed set per seed, seed after seed. The training episodes come
 * from a {@link Random} seeded with the run's seed and the action noise from the key (seed, step),
 * so every condition of a seed sees the same episodes and the study repeats bit for bit.
 */
public final class NeuromodStudy {
  /** The condition of the plain recurrent network, which has no trace for modulators to gate. */
  public static final String PLAIN = "rnn";

  /** Episodes per evaluation call. */
  public static final int CHUNK = 128;

  /** Trials before a reversal in the curves around it. */
  public static final int BEFORE = 10;

  /** Trials from a reversal on in the curves around it. */
  public static final int AFTER = 15;

  /** The series drawn around reversals, as {@link GoNoGoSession.Played} names them. */
  public static final List<String> SIGNALS =
      List.of("respond_probability", "dopamine", "noradrenaline", "acetylcholine", "serotonin");

  private NeuromodStudy() {}

  /** What the study reports while it runs. */
  public interface Listener {
    /** The progress of training {@code condition} on {@code seed} for {@code steps} steps. */
    EpisodeProgress progress(String condition, long seed, long steps);

    /** A condition has finished a seed with {@code result}. */
    default void finished(NeuromodResult result) {}
  }

  /**
   * Trains and evaluates every condition on every seed, seed after seed; each seed evaluates on its
   * own fixed set of {@code evaluationEpisodes} episodes.
   *
   * @param conditions each condition's name ({@link #PLAIN} for the plain network) and modulators
   * @return each condition's results, one per seed in order
   */
  public static Map<String, List<NeuromodResult>> run(
      Map<String, Neuromodulators.Config> conditions,
      Settings settings,
      List<Long> seeds,
      int evaluationEpisodes,
      Listener listener) {
    Map<String, List<NeuromodResult>> results = new LinkedHashMap<>();
    for (long seed : seeds) {
      RewardedGoNoGoTask.Sample evaluation =
          settings.task().sample(evaluationEpisodes, new Random(seed + EvaluationSet.SEED_OFFSET));
      conditions.forEach(
          (condition, modulators) -> {
            NeuromodResult r =
                run(
                    condition,
                    agent(condition, modulators, settings, seed),
                    settings,
                    evaluation,
                    listener.progress(condition, seed, settings.steps()));
            results.computeIfAbsent(condition, k -> new ArrayList<>()).add(r);
            listener.finished(r);
          });
    }
    return results;
  }

  /**
   * The conditions named by {@code names}, such as {@code rnn} or {@code da+na}, each with {@code
   * constants} and its active modulators, under their canonical names.
   *
   * @throws IllegalArgumentException if a name is neither {@link #PLAIN} nor modulators
   */
  public static Map<String, Neuromodulators.Config> conditions(
      List<String> names, Neuromodulators.Config constants) {
    Map<String, Neuromodulators.Config> chosen = new LinkedHashMap<>();
    for (String condition : names) {
      String name = condition.trim().toLowerCase(Locale.ROOT);
      boolean plain = name.equals(PLAIN);
      Neuromodulators.Config modulators =
          plain ? constants : constants.withActive(Modulator.parse(name));
      chosen.put(plain ? PLAIN : Modulator.describe(modulators.active()), modulators);
    }
    return chosen;
  }

  /** The agent of {@code condition} on {@code seed}: plastic unless it is {@link #PLAIN}. */
  public static GoNoGoAgentSpec agent(
      String condition, Neuromodulators.Config modulators, Settings settings, long seed) {
    return new GoNoGoAgentSpec(
        settings.task().cues(),
        settings.hidden(),
        settings.task().trials(),
        !condition.equals(PLAIN),
        modulators,
        RewardSchedule.USUAL,
        seed);
  }

  /**
   * The settings every condition of a study shares.
   *
   * @param task the environment
   * @param hidden recurrent units of every agent
   * @param steps training steps, each on a fresh batch
   * @param batch episodes per step
   * @param evalEvery evaluate every this many steps (and after the last)
   * @param training the loss weights and optimizer
   * @param sessionOptions how the sessions run (threads)
   */
  public record Settings(
      RewardedGoNoGoTask task,
      int hidden,
      int steps,
      int batch,
      int evalEvery,
      GoNoGoTrainingGraph.Config training,
      SessionOptions sessionOptions) {}

  /**
   * One line saying what a study runs: the task and its rewards, the agents, training, evaluation,
   * seeds and the modulators' constants.
   */
  public static String describe(
      Settings settings, List<Long> seeds, int evalEpisodes, Neuromodulators.Config constants) {
    return String.format(
        Locale.ROOT,
        "%s; rewards hit %s, miss %s, false alarm %s, correct rejection %s; recurrent"
            + " actor-critic agents of %d units, plastic input connection; %d training steps"
            + " of %d episodes, Adam lr %s, entropy weight %s; evaluation on %d episodes every"
            + " %d steps; seeds %s; modulator constants %s",
        settings.task().describe(),
        RewardSchedule.USUAL.hit(),
        RewardSchedule.USUAL.miss(),
        RewardSchedule.USUAL.falseAlarm(),
        RewardSchedule.USUAL.correctRejection(),
        settings.hidden(),
        settings.steps(),
        settings.batch(),
        settings.training().optimizer().hyperparameters().get("learning_rate"),
        settings.training().entropyWeight(),
        evalEpisodes,
        settings.evalEvery(),
        seeds,
        constants.toString().substring("none ".length()));
  }

  /** Trains and evaluates one agent; a NaN loss stops the run and is reported in the result. */
  public static NeuromodResult run(
      String condition,
      GoNoGoAgentSpec spec,
      Settings settings,
      RewardedGoNoGoTask.Sample evaluation,
      EpisodeProgress progress) {
    int evaluations = (settings.steps() + settings.evalEvery() - 1) / settings.evalEvery();
    int[] evalSteps = new int[evaluations];
    double[] curve = new double[evaluations];
    int done = 0;
    String failure = null;
    long nanos = 0;
    long timed = 0;
    Random random = new Random(spec.seed());
    try (GoNoGoSession session =
            new GoNoGoSession(spec, settings.training(), settings.sessionOptions());
        progress) {
      for (int step = 1; step <= settings.steps(); step++) {
        RewardedGoNoGoTask.Sample batch = settings.task().sample(settings.batch(), random);
        long start = System.nanoTime();
        float loss =
            session.train(
                batch.cueInputs(),
                batch.outcomeGoInputs(),
                batch.batch(),
                new long[] {spec.seed(), step});
        if (step > 1) {
          nanos += System.nanoTime() - start;
          timed++;
        }
        progress.step(step, loss);
        if (!Float.isFinite(loss)) {
          failure = String.format("diverged: loss %s at step %d", loss, step);
          break;
        }
        if (step % settings.evalEvery() == 0 || step == settings.steps()) {
          evalSteps[done] = step;
          curve[done] = play(session, evaluation, spec.seed()).scores().rewardPerTrial();
          done++;
        }
      }
      GoNoGoScores scores = null;
      Map<String, double[]> around = new LinkedHashMap<>();
      if (failure == null) {
        Evaluation last = play(session, evaluation, spec.seed());
        scores = last.scores();
        around.put(
            "correct",
            GoNoGoScores.aroundReversals(
                evaluation,
                GoNoGoScores.correctness(evaluation, last.series().get("actions")),
                BEFORE,
                AFTER));
        for (String signal : SIGNALS) {
          around.put(
              signal,
              GoNoGoScores.aroundReversals(evaluation, last.series().get(signal), BEFORE, AFTER));
        }
      }
      double eta =
          spec.plastic()
              ? session.read(GoNoGoAgent.RULE + "/" + GoNoGoAgent.INPUT_KERNEL + "/eta")[0]
              : Double.NaN;
      return new NeuromodResult(
          condition,
          spec.seed(),
          spec.describe(),
          Arrays.copyOf(evalSteps, done),
          Arrays.copyOf(curve, done),
          scores,
          around,
          eta,
          timed == 0 ? Double.NaN : nanos / 1e9 / timed,
          failure);
    }
  }

  /** The scores of a played evaluation set and its per-trial series, concatenated over chunks. */
  public record Evaluation(GoNoGoScores scores, Map<String, float[]> series) {}

  /**
   * Plays the evaluation set in chunks, with the noise keys (seed, −1 − chunk), apart from the
   * training ones.
   */
  public static Evaluation play(GoNoGoSession session, RewardedGoNoGoTask.Sample set, long seed) {
    Map<String, float[]> series = new LinkedHashMap<>();
    int trials = set.trials();
    for (int from = 0, chunk = 0; from < set.batch(); from += CHUNK, chunk++) {
      RewardedGoNoGoTask.Sample part = set.slice(from, Math.min(set.batch(), from + CHUNK));
      GoNoGoSession.Played played =
          session.play(
              part.cueInputs(),
              part.outcomeGoInputs(),
              part.batch(),
              new long[] {seed, -1 - chunk});
      for (Map.Entry<String, float[]> e : played.series().entrySet()) {
        float[] all = series.computeIfAbsent(e.getKey(), k -> new float[set.batch() * trials]);
        System.arraycopy(e.getValue(), 0, all, from * trials, e.getValue().length);
      }
    }
    return new Evaluation(
        GoNoGoScores.of(set, series.get("actions"), series.get("rewards")), series);
  }
}
