package dev.metaplastic.data;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Split Fashion-MNIST: five tasks, each distinguishing a pair of classes, {@code (0, 1)}, {@code
 * (2, 3)}, {@code (4, 5)}, {@code (6, 7)} and {@code (8, 9)}.
 *
 * <p>In the task-incremental variant each task has its own two-class head and labels are local (0
 * for the first class of the pair, 1 for the second). In the class-incremental variant a single
 * ten-class head is shared and labels stay global. Either way each example's task id is recorded.
 */
public final class SplitStream implements TaskStream {
  static final int NUM_TASKS = 5;
  static final int CLASSES_PER_TASK = 2;

  private final boolean taskIncremental;
  private final int featureSize;
  private final List<Task> tasks;
  private final String source;
  private final String fingerprint;

  private SplitStream(FashionMnist data, boolean taskIncremental) {
    this.taskIncremental = taskIncremental;
    this.featureSize = data.train().featureSize();
    this.source = data.directory().toString();
    this.fingerprint = data.fingerprint();
    List<Task> built = new ArrayList<>(NUM_TASKS);
    for (int t = 0; t < NUM_TASKS; t++) {
      String name =
          FashionMnist.CLASS_NAMES.get(CLASSES_PER_TASK * t)
              + " vs "
              + FashionMnist.CLASS_NAMES.get(CLASSES_PER_TASK * t + 1);
      built.add(
          new Task(
              t,
              name,
              select(data.train(), t, taskIncremental),
              select(data.test(), t, taskIncremental)));
    }
    this.tasks = List.copyOf(built);
  }

  /**
   * Builds the task-incremental stream: five two-class heads, labels 0 or 1 within each task.
   *
   * @param data the loaded data set
   * @return the stream
   */
  public static SplitStream taskIncremental(FashionMnist data) {
    return new SplitStream(checkNotNull(data, "data"), true);
  }

  /**
   * Builds the class-incremental stream: one ten-class head, global labels 0 to 9.
   *
   * @param data the loaded data set
   * @return the stream
   */
  public static SplitStream classIncremental(FashionMnist data) {
    return new SplitStream(checkNotNull(data, "data"), false);
  }

  @Override
  public String name() {
    return taskIncremental
        ? "split-fashion-mnist (task-incremental)"
        : "split-fashion-mnist (class-incremental)";
  }

  @Override
  public int featureSize() {
    return featureSize;
  }

  @Override
  public int heads() {
    return taskIncremental ? NUM_TASKS : 1;
  }

  @Override
  public int classesPerHead() {
    return taskIncremental ? CLASSES_PER_TASK : NUM_TASKS * CLASSES_PER_TASK;
  }

  @Override
  public List<Task> tasks() {
    return tasks;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public String fingerprint() {
    return fingerprint;
  }

  /** Copies the examples of one task's class pair, relabelled locally if asked. */
  private static Examples select(Examples all, int task, boolean localLabels) {
    int featureSize = all.featureSize();
    int[] labels = all.labels();
    int count = 0;
    for (int label : labels) {
      if (label / CLASSES_PER_TASK == task) {
        count++;
      }
    }
    float[] features = new float[count * featureSize];
    int[] taskLabels = new int[count];
    int[] taskIds = new int[count];
    int offset = CLASSES_PER_TASK * task;
    int row = 0;
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] / CLASSES_PER_TASK == task) {
        System.arraycopy(all.features(), i * featureSize, features, row * featureSize, featureSize);
        taskLabels[row] = localLabels ? labels[i] - offset : labels[i];
        taskIds[row] = task;
        row++;
      }
    }
    return new Examples(features, taskLabels, taskIds, featureSize);
  }
}
