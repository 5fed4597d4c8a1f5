package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.episodes.EpisodeTask;
import dev.metaplastic.episodes.EpisodeTasks;
import dev.metaplastic.experiments.EpisodeRunConfig;
import dev.metaplastic.experiments.EvaluationSet;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of {@code metaplastic plastic} that set up its protocol ({@link
 * dev.metaplastic.experiments.PlasticComparison}): the episodic task and its size, the network, the
 * training and the evaluation.
 */
final class EpisodeOptions {
  /** The rules, as the command line spells them: none, then every fast-weight rule. */
  static final List<String> RULES = Plasticity.values().stream().map(Plasticity::name).toList();

  /** The rules {@code plastic} runs without {@code --rules}: those that need no reward. */
  static final List<String> DEFAULT_RULES =
      Plasticity.values().stream().filter(p -> !p.readsReward()).map(Plasticity::name).toList();

  /** {@link #RULES}, for the option's description. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return RULES.iterator();
    }
  }

  @Option(
      names = {"--rules", "--rule"},
      split = ",",
      completionCandidates = Names.class,
      description =
          "Plasticity rules to compare, any of ${COMPLETION-CANDIDATES} (none is the plain RNN"
              + " baseline; a reward-modulated rule such as dopamine needs a task with a reward"
              + " channel, gonogo). Default: every rule that needs no reward.")
  List<String> rules;

  @Option(
      names = "--task",
      defaultValue = "copy",
      description = "copy, associative, regression or gonogo. Default: ${DEFAULT-VALUE}.")
  String task;

  @Option(
      names = "--steps",
      description = "Steps per episode (gonogo only). Default: the task's standard size (40).")
  Integer steps;

  @Option(
      names = "--cues",
      description =
          "Number of cues, even, half of them Go in each episode (gonogo only). Default: 2.")
  Integer cues;

  @Option(
      names = "--length",
      description = "Sequence length to copy (copy only). Default: the task's standard size (5).")
  Integer length;

  @Option(
      names = "--delay",
      description =
          "Blank steps between the sequence and its recall (copy only). Default: the task's"
              + " standard size (5).")
  Integer delay;

  @Option(
      names = "--hidden",
      defaultValue = "64",
      description = "Recurrent units. Default: ${DEFAULT-VALUE}.")
  int hidden;

  @Option(
      names = "--episodes",
      defaultValue = "2000",
      description = "Training steps, each on a fresh batch of episodes. Default: ${DEFAULT-VALUE}.")
  int episodes;

  @Option(
      names = "--batch",
      defaultValue = "32",
      description = "Episodes per training step. Default: ${DEFAULT-VALUE}.")
  int batch;

  @Option(
      names = "--lr",
      defaultValue = "0.001",
      description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
  double learningRate;

  @Option(
      names = "--eval-every",
      defaultValue = "100",
      description = "Evaluate every this many training steps. Default: ${DEFAULT-VALUE}.")
  int evalEvery;

  @Option(
      names = "--eval-episodes",
      defaultValue = "512",
      description = "Size of the fixed evaluation set. Default: ${DEFAULT-VALUE}.")
  int evalEpisodes;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the weights and of the episodes. Default: ${DEFAULT-VALUE}.")
  long seed;

  /** The episodic task. */
  EpisodeTask task() {
    return InvalidInputException.validating(
        "", () -> EpisodeTasks.named(task, EpisodeTasks.Sizes.of(steps, cues, length, delay)));
  }

  /** The settings every rule shares, on {@code episodeTask}. */
  EpisodeRunConfig config(EpisodeTask episodeTask) {
    return new EpisodeRunConfig(
        episodeTask,
        hidden,
        episodes,
        batch,
        OptimizerConfig.Adam.withLearningRate(learningRate),
        evalEvery,
        seed);
  }

  /** The fixed evaluation episodes of {@code episodeTask}. */
  EvaluationSet evaluation(EpisodeTask episodeTask) {
    return EvaluationSet.sample(episodeTask, evalEpisodes, seed);
  }

  /** The protocol in one line, for the report. */
  String describe(EpisodeTask episodeTask) {
    return String.format(
        Locale.ROOT,
        "%s; hidden %d; %d training steps of %d episodes, Adam lr %s; evaluation on %d"
            + " episodes every %d steps; seed %d",
        episodeTask.describe(),
        hidden,
        episodes,
        batch,
        learningRate,
        evalEpisodes,
        evalEvery,
        seed);
  }

  /**
   * The plasticity of each rule of {@code --rules} (by default every rule that needs no reward), in
   * the given order.
   *
   * @throws InvalidInputException for an unknown rule, or a rule reading a reward channel that
   *     {@code episodeTask} lacks
   */
  Map<String, Plasticity> rules(EpisodeTask episodeTask) {
    Map<String, Plasticity> chosen = new LinkedHashMap<>();
    for (String name : rules != null ? rules : DEFAULT_RULES) {
      if (!RULES.contains(name)) {
        throw new InvalidInputException(
            "unknown rule '" + name + "'; expected one of " + String.join(", ", RULES));
      }
      chosen.put(name, new Plasticity(name));
    }
    for (Plasticity plasticity : chosen.values()) {
      if (plasticity.readsReward() && episodeTask.rewardChannel().isEmpty()) {
        throw new InvalidInputException(
            "rule "
                + plasticity.name()
                + " reads the task's reward channel, but task '"
                + task
                + "' has none; use it with gonogo");
      }
    }
    return chosen;
  }
}
