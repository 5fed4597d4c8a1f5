package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndex;

import java.util.OptionalInt;
import java.util.Random;

/**
 * Go/No-Go with an unannounced reversal: learn which of two cues calls for a response, then notice
 * when the rule flips.
 *
 * <p>An episode has {@code steps} steps (T) and 3 input channels {@code (cue 0, cue 1, feedback)};
 * the target has 2 classes, {@value #WITHHOLD} = withhold and {@value #RESPOND} = respond. Each
 * episode draws:
 *
 * <ul>
 *   <li>the Go cue of its first part, 0 or 1 with probability ½ each (the other cue is No-Go);
 *   <li>its reversal step {@code r}, uniformly from the integers in {@code [T / 3, 2T / 3]}
 *       (integer division), the first step under the flipped rule: from step {@code r} on, the
 *       former No-Go cue is the Go cue and the former Go cue is No-Go. Nothing in the input
 *       announces it;
 *   <li>for every step, its cue, 0 or 1 with probability ½ each.
 * </ul>
 *
 * <p>At step {@code t} the cue channel of the step's cue is 1 and the other 0; the target is
 * respond if the cue is the Go cue of the rule in force at {@code t}, withhold otherwise. Every
 * step is scored.
 *
 * <p><b>Feedback is teacher-forced.</b> In the behavioural task the feedback is the reward the
 * animal got for its own previous action. When generating episodes offline the network's action is
 * not known, so the feedback channel carries the <em>correct</em> response of the previous step
 * instead: at step {@code t ≥ 1} it is +1 if the target of step {@code t − 1} was respond and −1 if
 * it was withhold; at step 0 it is 0. Together with the previous cue it tells the network which
 * rule was in force one step earlier, so a network that remembers one step can be right on every
 * step but step 0 and step {@code r}; learning faster than that is not possible, and how soon after
 * {@code r} a network is right again ({@link #stepsToCriterion}) measures its adaptation speed.
 *
 * <p>The kind is {@link Episodes.Kind#CLASSIFICATION}. {@link #sample} returns the episodes alone;
 * {@link #sampleWithReversals} also returns each episode's reversal step and first Go cue, from the
 * same random draws.
 */
public final class GoNoGoReversalTask implements EpisodeTask {
  /** Target class of withholding. */
  public static final int WITHHOLD = 0;

  /** Target class of responding. */
  public static final int RESPOND = 1;

  /** Input channel of the feedback; channels 0 and 1 are the two cues. */
  public static final int FEEDBACK_CHANNEL = 2;

  static final int MIN_STEPS = 3;
  static final int STANDARD_STEPS = 40;

  private final int steps;

  /**
   * A sample of episodes with what is needed to measure adaptation.
   *
   * @param episodes the episodes
   * @param reversalSteps per episode, the first step under the flipped rule
   * @param firstGoCues per episode, the Go cue (0 or 1) before the reversal
   */
  public record Sample(Episodes episodes, int[] reversalSteps, int[] firstGoCues) {
    /** Checks that there is one reversal step and one first Go cue per episode. */
    public Sample {
      checkNotNull(episodes, "episodes");
      checkNotNull(reversalSteps, "reversalSteps");
      checkNotNull(firstGoCues, "firstGoCues");
      checkArgument(
          reversalSteps.length == episodes.batch() && firstGoCues.length == episodes.batch(),
          "need one reversal step and first Go cue per episode: %s episodes, %s reversal steps,"
              + " %s first Go cues",
          episodes.batch(),
          reversalSteps.length,
          firstGoCues.length);
    }

    /**
     * The reversal step of one episode.
     *
     * @param b episode, in {@code [0, batch)}
     * @return the first step of episode {@code b} under the flipped rule
     */
    public int reversalStep(int b) {
      checkElementIndex(b, reversalSteps.length, "episode");
      return reversalSteps[b];
    }

    /**
     * The Go cue of one episode before its reversal.
     *
     * @param b episode, in {@code [0, batch)}
     * @return 0 or 1
     */
    public int firstGoCue(int b) {
      checkElementIndex(b, firstGoCues.length, "episode");
      return firstGoCues[b];
    }
  }

  /**
   * Creates the task.
   *
   * @param steps number T of steps per episode, at least {@value #MIN_STEPS}
   */
  public GoNoGoReversalTask(int steps) {
    checkArgument(
        steps >= MIN_STEPS, "go/no-go reversal needs at least %s steps, got %s", MIN_STEPS, steps);
    this.steps = steps;
  }

  /** The standard size: {@value #STANDARD_STEPS} steps. */
  public static GoNoGoReversalTask standard() {
    return new GoNoGoReversalTask(STANDARD_STEPS);
  }

  /** The earliest reversal step, {@code T / 3}. */
  public int earliestReversal() {
    return steps / 3;
  }

  /** The latest reversal step, {@code 2T / 3}. */
  public int latestReversal() {
    return (int) (2L * steps / 3);
  }

  @Override
  public String name() {
    return "gonogo";
  }

  @Override
  public int inputSize() {
    return 3;
  }

  @Override
  public int outputSize() {
    return 2;
  }

  @Override
  public int steps() {
    return steps;
  }

  @Override
  public Episodes.Kind kind() {
    return Episodes.Kind.CLASSIFICATION;
  }

  @Override
  public Episodes sample(int batch, Random random) {
    return sampleWithReversals(batch, random).episodes();
  }

  /**
   * Draws a batch of episodes together with their reversal steps and first Go cues; {@link #sample}
   * returns the episodes of the same draws.
   *
   * @param batch number of episodes, at least 1
   * @param random source of every random choice
   * @return the episodes, reversal steps and first Go cues
   */
  public Sample sampleWithReversals(int batch, Random random) {
    checkArgument(batch >= 1, "batch must be positive, got %s", batch);
    checkNotNull(random, "random");
    EpisodeBuffer buffer = new EpisodeBuffer(batch, steps, inputSize(), outputSize());
    int[] reversals = new int[batch];
    int[] firstGo = new int[batch];
    int earliest = earliestReversal();
    int latest = latestReversal();
    for (int b = 0; b < batch; b++) {
      firstGo[b] = random.nextInt(2);
      reversals[b] = earliest + random.nextInt(latest - earliest + 1);
      int previousTarget = -1;
      for (int t = 0; t < steps; t++) {
        int cue = random.nextInt(2);
        int go = t < reversals[b] ? firstGo[b] : 1 - firstGo[b];
        int target = cue == go ? RESPOND : WITHHOLD;
        buffer.input(b, t, cue, 1);
        if (previousTarget >= 0) {
          buffer.input(b, t, FEEDBACK_CHANNEL, previousTarget == RESPOND ? 1 : -1);
        }
        buffer.target(b, t, target, 1);
        buffer.score(b, t);
        previousTarget = target;
      }
    }
    return new Sample(buffer.build(kind()), reversals, firstGo);
  }

  /**
   * Counts how many steps after {@code from} pass before performance holds at a criterion: the
   * smallest {@code k ≥ 0} such that at least {@code criterion × window} of the steps {@code [from
   * + k, from + k + window)} are correct.
   *
   * <p>So 0 means the criterion holds from step {@code from} on, as for a learner that adapts at
   * once; with {@code criterion} 1 it is the number of steps before the first run of {@code window}
   * correct steps.
   *
   * @param correctPerStep whether each step was answered correctly
   * @param from first step to consider, in {@code [0, correctPerStep.length]}; for adaptation, the
   *     reversal step
   * @param window number of consecutive steps the criterion is judged over, at least 1
   * @param criterion fraction of correct steps needed in the window, in {@code (0, 1]}
   * @return {@code k}, or empty if no window of {@code window} steps starting at or after {@code
   *     from} meets the criterion
   */
  public static OptionalInt stepsToCriterion(
      boolean[] correctPerStep, int from, int window, double criterion) {
    checkNotNull(correctPerStep, "correctPerStep");
    checkPositionIndex(from, correctPerStep.length, "first step");
    checkArgument(window >= 1, "criterion window must be at least 1 step, got %s", window);
    checkArgument(
        criterion > 0 && criterion <= 1, "criterion must be in (0, 1], got %s", criterion);
    int needed = (int) Math.ceil(criterion * window - 1e-9);
    int correct = 0;
    for (int end = from; end < correctPerStep.length; end++) {
      if (correctPerStep[end]) {
        correct++;
      }
      int start = end - window + 1;
      if (start > from && correctPerStep[start - 1]) {
        correct--;
      }
      if (start >= from && correct >= needed) {
        return OptionalInt.of(start - from);
      }
    }
    return OptionalInt.empty();
  }

  @Override
  public String describe() {
    return String.format(
        "gonogo: respond to the Go cue, withhold on No-Go; the rule flips unannounced between"
            + " steps %s and %s (%s steps, %s inputs, 2 classes, teacher-forced feedback)",
        earliestReversal(), latestReversal(), steps, inputSize());
  }
}
