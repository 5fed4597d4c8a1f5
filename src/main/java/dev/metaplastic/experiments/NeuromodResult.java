package dev.metaplastic.experiments;

import dev.metaplastic.episodes.GoNoGoScores;
import java.util.Map;

/**
 * One condition's outcome on one seed in {@code metaplastic neuromod}.
 *
 * @param condition the condition as the command line spells it ({@code rnn}, {@code none}, {@code
 *     da+na}, …)
 * @param seed the run's seed
 * @param description the agent, such as {@code da+na agent 4-32 x80}
 * @param evalSteps the training steps after which the agent was evaluated
 * @param rewardCurve reward per trial on the evaluation episodes after each of {@code evalSteps}
 * @param scores the final scores on the evaluation episodes (null if training diverged)
 * @param aroundReversals per series ({@code correct}, {@code respond}, {@code dopamine}, {@code
 *     noradrenaline}, {@code acetylcholine}, {@code serotonin}), its mean at each trial offset
 *     around a reversal (offsets −{@link NeuromodStudy#BEFORE} … {@link NeuromodStudy#AFTER} − 1)
 * @param eta the learned base rate η of the trace at the end (NaN for the plain network)
 * @param secondsPerStep mean wall time of one training step (the first left out)
 * @param failure why training stopped early (a NaN loss), or null
 */
public record NeuromodResult(
    String condition,
    long seed,
    String description,
    int[] evalSteps,
    double[] rewardCurve,
    GoNoGoScores scores,
    Map<String, double[]> aroundReversals,
    double eta,
    double secondsPerStep,
    String failure) {}
