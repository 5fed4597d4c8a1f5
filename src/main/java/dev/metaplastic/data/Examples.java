package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkPositionIndexes;

import java.util.Arrays;
import java.util.List;

/**
 * A set of labeled examples, stored as flat arrays for fast minibatch assembly.
 *
 * <p>The arrays are shared, not copied: callers must not modify them after construction. Equality
 * and hash code compare the array contents.
 *
 * @param features row-major {@code size × featureSize} input features
 * @param labels class index of each example within its head
 * @param tasks task id of each example, which selects its head in a multi-head model
 * @param featureSize number of features of one example
 */
public record Examples(float[] features, int[] labels, int[] tasks, int featureSize) {
  /** Checks that the array lengths agree with each other and with {@code featureSize}. */
  public Examples {
    checkNotNull(features, "features");
    checkNotNull(labels, "labels");
    checkNotNull(tasks, "tasks");
    checkArgument(featureSize > 0, "feature size must be positive, got %s", featureSize);
    checkArgument(
        features.length == (long) labels.length * featureSize,
        "%s examples of %s features need %s feature values, got %s",
        labels.length,
        featureSize,
        (long) labels.length * featureSize,
        features.length);
    checkArgument(
        tasks.length == labels.length,
        "need one task id per example: %s labels but %s task ids",
        labels.length,
        tasks.length);
  }

  /** Number of examples. */
  public int size() {
    return labels.length;
  }

  /**
   * Copies the examples {@code indices[from .. from + count)} to the start of the output arrays.
   *
   * @param indices example indices, each in {@code [0, size())}
   * @param from first position of {@code indices} to copy
   * @param count number of examples to copy
   * @param featuresOut receives {@code count × featureSize} features
   * @param labelsOut receives {@code count} labels
   * @param tasksOut receives {@code count} task ids
   */
  public void gather(
      int[] indices, int from, int count, float[] featuresOut, int[] labelsOut, int[] tasksOut) {
    checkPositionIndexes(from, from + count, indices.length);
    checkArgument(
        featuresOut.length >= count * featureSize,
        "features output holds %s values, need %s for %s examples",
        featuresOut.length,
        count * featureSize,
        count);
    checkArgument(
        labelsOut.length >= count && tasksOut.length >= count,
        "label and task outputs hold %s and %s values, need %s",
        labelsOut.length,
        tasksOut.length,
        count);
    for (int i = 0; i < count; i++) {
      int example = indices[from + i];
      System.arraycopy(features, example * featureSize, featuresOut, i * featureSize, featureSize);
      labelsOut[i] = labels[example];
      tasksOut[i] = tasks[example];
    }
  }

  /**
   * Concatenates example sets in order.
   *
   * @param parts the sets to join, at least one, all with the same feature size
   * @return a new set holding every example of {@code parts}
   */
  public static Examples concat(List<Examples> parts) {
    checkArgument(!parts.isEmpty(), "need at least one example set to concatenate, got none");
    int featureSize = parts.get(0).featureSize();
    long total = 0;
    for (Examples part : parts) {
      checkArgument(
          part.featureSize() == featureSize,
          "cannot concatenate example sets of feature sizes %s and %s",
          featureSize,
          part.featureSize());
      total += part.size();
    }
    checkArgument(
        total * featureSize <= Integer.MAX_VALUE,
        "%s examples of %s features are too many for one array",
        total,
        featureSize);
    int size = (int) total;
    float[] features = new float[size * featureSize];
    int[] labels = new int[size];
    int[] tasks = new int[size];
    int offset = 0;
    for (Examples part : parts) {
      System.arraycopy(part.features, 0, features, offset * featureSize, part.features.length);
      System.arraycopy(part.labels, 0, labels, offset, part.size());
      System.arraycopy(part.tasks, 0, tasks, offset, part.size());
      offset += part.size();
    }
    return new Examples(features, labels, tasks, featureSize);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Examples other
        && featureSize == other.featureSize
        && Arrays.equals(labels, other.labels)
        && Arrays.equals(tasks, other.tasks)
        && Arrays.equals(features, other.features);
  }

  @Override
  public int hashCode() {
    int hash = featureSize;
    hash = 31 * hash + Arrays.hashCode(labels);
    hash = 31 * hash + Arrays.hashCode(tasks);
    return 31 * hash + Arrays.hashCode(features);
  }

  @Override
  public String toString() {
    return "Examples[" + size() + " examples of " + featureSize + " features]";
  }
}
