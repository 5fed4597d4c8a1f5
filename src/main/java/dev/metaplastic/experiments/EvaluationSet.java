package dev.metaplastic.experiments;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.episodes.EpisodeTask;
import dev.metaplastic.episodes.Episodes;
import dev.metaplastic.episodes.GoNoGoReversalTask;
import java.util.Random;

/**
 * The fixed episodes every rule is evaluated on, sampled once; for go/no-go also each episode's
 * reversal step.
 *
 * @param episodes the evaluation episodes
 * @param reversals the same episodes with their reversal steps, or null when the task has none
 */
public record EvaluationSet(Episodes episodes, GoNoGoReversalTask.Sample reversals) {
  /** Offset between the training seed and the seed of the evaluation episodes. */
  public static final long SEED_OFFSET = 0x9E3779B97F4A7C15L;

  /** Samples {@code count} episodes from a {@link Random} seeded apart from the training one. */
  public static EvaluationSet sample(EpisodeTask task, int count, long seed) {
    InvalidInputException.check(count > 0, "--eval-episodes must be positive, got %s", count);
    Random random = new Random(seed + SEED_OFFSET);
    if (task instanceof GoNoGoReversalTask gonogo) {
      GoNoGoReversalTask.Sample sample = gonogo.sampleWithReversals(count, random);
      return new EvaluationSet(sample.episodes(), sample);
    }
    return new EvaluationSet(task.sample(count, random), null);
  }
}
