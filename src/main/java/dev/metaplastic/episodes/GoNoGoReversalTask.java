package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndex;

import java.util.OptionalInt;
import java.util.Random;

/**
 * Go/No-Go with an unannounced reversal: learn which cues call for a response, then notice when the
 * rule flips.
 *
 * <p>An episode has {@code steps} steps (T) and K + 1 input channels {@code (cue 0, …, cue K − 1,
 * feedback)}, K = {@code cues}, even; the target has 2 classes, {@value #WITHHOLD} = withhold and
 * {@value #RESPOND} = respond. Each episode draws:
 *
 * <ul>
 *   <li>which half of the cues are Go in its first part (the other half are No-Go), uniformly among
 *       the C(K, K/2) halves: a Fisher–Yates shuffle of the cues, whose last K/2 are Go. With the
 *       standard K = 2 that is one draw, the Go cue 0 or 1 with probability ½ each;
 *   <li>its reversal step {@code r}, uniformly from the integers in {@code [T / 3, 2T / 3]}
 *       (integer division), the first step under the flipped rule: from step {@code r} on, every
 *       former No-Go cue is Go and every former Go cue is No-Go. Nothing in the input announces it;
 *   <li>for every step, its cue, uniform over the K cues.
 * </ul>
 *
 * <p>At step {@code t} the cue channel of the step's cue is 1 and the others 0; the target is
 * respond if the cue is Go under the rule in force at {@code t}, withhold otherwise. Every step is
 * scored.
 *
 * <p><b>Feedback is teacher-forced.</b> In the behavioural task the feedback is the reward the
 * animal got for its own previous action. When generating episodes offline the network's action is
 * not known, so the feedback channel (channel K, {@link #feedbackChannel()}) carries the
 * <em>correct</em> response of the previous step instead: at step {@code t ≥ 1} it is +1 if the
 * target of step {@code t − 1} was respond and −1 if it was withhold; at step 0 it is 0. It is the
 * task's {@linkplain #rewardChannel() reward channel}.
 *
 * <p>With K = 2 the feedback and the previous cue tell the whole rule (one cue is Go, the other
 * No-Go), so a network that remembers one step can be right on every step but step 0 and step
 * {@code r}. With more cues the feedback tells the outcome of one cue at a time: the network has to
 * bind each cue to its outcome within the episode and keep K/2 … K bits, a memory load that grows
 * with K, and after the reversal either relearn each cue or infer from one surprise that all of
 * them flipped. How soon after {@code r} a network is right again ({@link #stepsToCriterion})
 * measures its adaptation speed.
 *
 * <p>The kind is {@link Episodes.Kind#CLASSIFICATION}. {@link #sample} returns the episodes alone;
 * {@link #sampleWithReversals} also returns each episode's reversal step and Go cues, from the same
 * random draws.
 */
public final class GoNoGoReversalTask implements EpisodeTask {
  /** Target class of withholding. */
  public static final int WITHHOLD = 0;

  /** Target class of responding. */
  public static final int RESPOND = 1;

  static final int MIN_STEPS = 3;
  static final int STANDARD_STEPS = 40;
  static final int STANDARD_CUES = 2;

  private final int steps;
  private final int cues;

  /**
   * A sample of episodes with what is needed to measure adaptation.
   *
   * @param episodes the episodes
   * @param reversalSteps per episode, the first step under the flipped rule
   * @param goBeforeReversal per episode and cue, whether the cue is Go before the reversal
   */
  public record Sample(Episodes episodes, int[] reversalSteps, boolean[][] goBeforeReversal) {
    /** Checks that there is one reversal step and one row of Go cues per episode. */
    public Sample {
      checkNotNull(episodes, "episodes");
      checkNotNull(reversalSteps, "reversalSteps");
      checkNotNull(goBeforeReversal, "goBeforeReversal");
      checkArgument(
          reversalSteps.length == episodes.batch() && goBeforeReversal.length == episodes.batch(),
          "need one reversal step and one row of Go cues per episode: %s episodes, %s reversal"
              + " steps, %s rows of Go cues",
          episodes.batch(),
          reversalSteps.length,
          goBeforeReversal.length);
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
     * Whether a cue is Go at a step of one episode.
     *
     * @param b episode, in {@code [0, batch)}
     * @param cue cue, in {@code [0, K)}
     * @param t step, in {@code [0, T)}
     * @return the cue's rule before the reversal if {@code t} is before it, the flipped rule from
     *     the reversal step on
     */
    public boolean isGo(int b, int cue, int t) {
      checkElementIndex(b, goBeforeReversal.length, "episode");
      checkElementIndex(cue, goBeforeReversal[b].length, "cue");
      checkElementIndex(t, episodes.steps(), "step");
      return goBeforeReversal[b][cue] == t < reversalSteps[b];
    }
  }

  /**
   * Creates the task with the standard {@value #STANDARD_CUES} cues.
   *
   * @param steps number T of steps per episode, at least {@value #MIN_STEPS}
   */
  public GoNoGoReversalTask(int steps) {
    this(steps, STANDARD_CUES);
  }

  /**
   * Creates the task.
   *
   * @param steps number T of steps per episode, at least {@value #MIN_STEPS}
   * @param cues number K of cues, even and at least 2; half of them are Go in each part of an
   *     episode
   */
  public GoNoGoReversalTask(int steps, int cues) {
    checkArgument(
        steps >= MIN_STEPS, "go/no-go reversal needs at least %s steps, got %s", MIN_STEPS, steps);
    checkArgument(
        cues >= 2 && cues % 2 == 0,
        "go/no-go reversal needs an even number of cues, at least 2 (half of them Go), got %s",
        cues);
    this.steps = steps;
    this.cues = cues;
  }

  /** The standard size: {@value #STANDARD_STEPS} steps, {@value #STANDARD_CUES} cues. */
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

  /** The number K of cues. */
  public int cues() {
    return cues;
  }

  /** The input channel of the feedback, K; channels 0 … K − 1 are the cues. */
  public int feedbackChannel() {
    return cues;
  }

  @Override
  public String name() {
    return "gonogo";
  }

  @Override
  public int inputSize() {
    return cues + 1;
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

  /** The feedback channel, K: the correct response of the previous step, ±1. */
  @Override
  public OptionalInt rewardChannel() {
    return OptionalInt.of(feedbackChannel());
  }

  @Override
  public Episodes sample(int batch, Random random) {
    return sampleWithReversals(batch, random).episodes();
  }

  /**
   * Draws a batch of episodes together with their reversal steps and Go cues; {@link #sample}
   * returns the episodes of the same draws.
   *
   * @param batch number of episodes, at least 1
   * @param random source of every random choice
   * @return the episodes, reversal steps and Go cues before the reversal
   */
  public Sample sampleWithReversals(int batch, Random random) {
    checkArgument(batch >= 1, "batch must be positive, got %s", batch);
    checkNotNull(random, "random");
    EpisodeBuffer buffer = new EpisodeBuffer(batch, steps, inputSize(), outputSize());
    int[] reversals = new int[batch];
    boolean[][] goBefore = new boolean[batch][];
    int earliest = earliestReversal();
    int latest = latestReversal();
    for (int b = 0; b < batch; b++) {
      goBefore[b] = drawGoHalf(cues, random);
      reversals[b] = earliest + random.nextInt(latest - earliest + 1);
      int previousTarget = -1;
      for (int t = 0; t < steps; t++) {
        int cue = random.nextInt(cues);
        boolean go = goBefore[b][cue] == t < reversals[b];
        int target = go ? RESPOND : WITHHOLD;
        buffer.input(b, t, cue, 1);
        if (previousTarget >= 0) {
          buffer.input(b, t, feedbackChannel(), previousTarget == RESPOND ? 1 : -1);
        }
        buffer.target(b, t, target, 1);
        buffer.score(b, t);
        previousTarget = target;
      }
    }
    return new Sample(buffer.build(kind()), reversals, goBefore);
  }

  /** The Go half of K cues: the last K/2 of a Fisher–Yates shuffle, as a flag per cue. */
  static boolean[] drawGoHalf(int cues, Random random) {
    int[] order = new int[cues];
    for (int c = 0; c < cues; c++) {
      order[c] = c;
    }
    for (int i = cues - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    boolean[] go = new boolean[cues];
    for (int i = cues / 2; i < cues; i++) {
      go[order[i]] = true;
    }
    return go;
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
    String rule =
        cues == STANDARD_CUES
            ? "respond to the Go cue, withhold on No-Go; the rule flips"
            : String.format(
                "%s cues, a random half of them Go in each episode; respond to a Go cue, withhold"
                    + " on No-Go; every cue flips",
                cues);
    return String.format(
        "gonogo: %s unannounced between steps %s and %s (%s steps, %s inputs, 2 classes,"
            + " teacher-forced feedback)",
        rule, earliestReversal(), latestReversal(), steps, inputSize());
  }
}
