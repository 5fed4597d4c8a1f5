package dev.metaplastic.episodes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.Arrays;

/**
 * A batch of episodes for a recurrent network, stored as flat row-major arrays.
 *
 * <p>{@code inputs} has shape {@code [batch, steps, inputSize]}, {@code targets} has shape {@code
 * [batch, steps, outputSize]} and {@code mask} has shape {@code [batch, steps]}: the value of
 * channel {@code c} at step {@code t} of episode {@code b} is {@code inputs[(b * steps + t) *
 * inputSize + c]}. The mask is 1 where a step is scored and 0 elsewhere. For {@link
 * Kind#CLASSIFICATION} the target of every scored step is one-hot over the {@code outputSize}
 * classes; the tasks of this package leave the targets of unscored steps at zero.
 *
 * <p>The arrays are shared, not copied: callers must not modify them after construction. Equality
 * and hash code compare the array contents.
 *
 * @param batch number of episodes, at least 1
 * @param steps number of time steps of every episode, at least 1
 * @param inputSize number of input channels per step, at least 1
 * @param outputSize number of target channels per step, at least 1
 * @param inputs {@code batch × steps × inputSize} input values
 * @param targets {@code batch × steps × outputSize} target values
 * @param mask {@code batch × steps} values, each 0 or 1
 * @param kind how the targets are to be scored
 */
public record Episodes(
    int batch,
    int steps,
    int inputSize,
    int outputSize,
    float[] inputs,
    float[] targets,
    float[] mask,
    Kind kind) {

  /** How the targets of the scored steps are meant. */
  public enum Kind {
    /** Targets are one-hot class labels, scored by cross-entropy or accuracy. */
    CLASSIFICATION,
    /** Targets are real values, scored by squared error. */
    REGRESSION
  }

  /**
   * Checks that the sizes are positive, the array lengths match them, the mask holds only 0 and 1,
   * and, for classification, every scored target is one-hot.
   */
  public Episodes {
    checkArgument(batch >= 1, "batch must be positive, got %s", batch);
    checkArgument(steps >= 1, "steps must be positive, got %s", steps);
    checkArgument(inputSize >= 1, "input size must be positive, got %s", inputSize);
    checkArgument(outputSize >= 1, "output size must be positive, got %s", outputSize);
    checkNotNull(inputs, "inputs");
    checkNotNull(targets, "targets");
    checkNotNull(mask, "mask");
    checkNotNull(kind, "kind");
    checkLength("inputs", inputs, batch, steps, inputSize);
    checkLength("targets", targets, batch, steps, outputSize);
    checkLength("mask", mask, batch, steps, 1);
    for (int i = 0; i < mask.length; i++) {
      checkArgument(
          mask[i] == 0 || mask[i] == 1,
          "mask values must be 0 or 1, got %s at episode %s step %s",
          mask[i],
          i / steps,
          i % steps);
      if (kind == Kind.CLASSIFICATION && mask[i] == 1) {
        checkArgument(
            isOneHot(targets, i * outputSize, outputSize),
            "classification target of episode %s step %s is not one-hot",
            i / steps,
            i % steps);
      }
    }
  }

  /**
   * Checks that {@code batch × steps × channels} values fit in one array.
   *
   * @throws IllegalArgumentException if they do not
   */
  static int checkedSize(int batch, int steps, int channels) {
    long size = (long) batch * steps * channels;
    checkArgument(
        size <= Integer.MAX_VALUE,
        "%s episodes of %s steps of %s channels are too many for one array",
        batch,
        steps,
        channels);
    return (int) size;
  }

  private static void checkLength(String name, float[] array, int batch, int steps, int channels) {
    long expected = (long) batch * steps * channels;
    checkArgument(
        array.length == expected,
        "%s episodes of %s steps need %s %s values (%s per step), got %s",
        batch,
        steps,
        expected,
        name,
        channels,
        array.length);
  }

  private static boolean isOneHot(float[] values, int from, int count) {
    int ones = 0;
    for (int i = from; i < from + count; i++) {
      if (values[i] == 1) {
        ones++;
      } else if (values[i] != 0) {
        return false;
      }
    }
    return ones == 1;
  }

  /**
   * One input value.
   *
   * @param b episode, in {@code [0, batch)}
   * @param t step, in {@code [0, steps)}
   * @param channel input channel, in {@code [0, inputSize)}
   * @return {@code inputs[(b * steps + t) * inputSize + channel]}
   */
  public float input(int b, int t, int channel) {
    checkElementIndex(channel, inputSize, "input channel");
    return inputs[row(b, t) * inputSize + channel];
  }

  /**
   * One target value.
   *
   * @param b episode, in {@code [0, batch)}
   * @param t step, in {@code [0, steps)}
   * @param channel target channel, in {@code [0, outputSize)}
   * @return {@code targets[(b * steps + t) * outputSize + channel]}
   */
  public float target(int b, int t, int channel) {
    checkElementIndex(channel, outputSize, "target channel");
    return targets[row(b, t) * outputSize + channel];
  }

  /**
   * Tells whether a step is scored.
   *
   * @param b episode, in {@code [0, batch)}
   * @param t step, in {@code [0, steps)}
   * @return whether {@code mask[b * steps + t]} is 1
   */
  public boolean scored(int b, int t) {
    return mask[row(b, t)] == 1;
  }

  /**
   * The target class of a scored step of a classification batch.
   *
   * @param b episode, in {@code [0, batch)}
   * @param t step, in {@code [0, steps)}, a scored one
   * @return the index of the 1 in the step's one-hot target
   * @throws IllegalStateException if the batch is not classification or the step is not scored
   */
  public int targetClass(int b, int t) {
    checkState(kind == Kind.CLASSIFICATION, "regression episodes have no target classes");
    checkState(scored(b, t), "episode %s step %s is not scored", b, t);
    int from = row(b, t) * outputSize;
    int best = 0;
    for (int o = 1; o < outputSize; o++) {
      if (targets[from + o] > targets[from + best]) {
        best = o;
      }
    }
    return best;
  }

  /** Number of scored steps over all episodes. */
  public int scoredCount() {
    int count = 0;
    for (float m : mask) {
      if (m == 1) {
        count++;
      }
    }
    return count;
  }

  private int row(int b, int t) {
    checkElementIndex(b, batch, "episode");
    checkElementIndex(t, steps, "step");
    return b * steps + t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Episodes other
        && batch == other.batch
        && steps == other.steps
        && inputSize == other.inputSize
        && outputSize == other.outputSize
        && kind == other.kind
        && Arrays.equals(mask, other.mask)
        && Arrays.equals(inputs, other.inputs)
        && Arrays.equals(targets, other.targets);
  }

  @Override
  public int hashCode() {
    int hash = batch;
    hash = 31 * hash + steps;
    hash = 31 * hash + inputSize;
    hash = 31 * hash + outputSize;
    hash = 31 * hash + kind.hashCode();
    hash = 31 * hash + Arrays.hashCode(mask);
    hash = 31 * hash + Arrays.hashCode(inputs);
    return 31 * hash + Arrays.hashCode(targets);
  }

  @Override
  public String toString() {
    return String.format(
        "Episodes[%s × %s steps, %s inputs, %s outputs, %s, %s scored steps]",
        batch, steps, inputSize, outputSize, kind, scoredCount());
  }
}
