package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SplitStreamTest {
  @TempDir Path dir;
  private FashionMnist data;

  @BeforeEach
  void writeData() {
    data = FashionMnist.load(IdxTestFiles.writeTinyFashionMnist(dir));
  }

  @Test
  void taskIncrementalHasLocalLabelsAndTaskIds() {
    SplitStream stream = SplitStream.taskIncremental(data);

    assertEquals("split-fashion-mnist (task-incremental)", stream.name());
    assertEquals(784, stream.featureSize());
    assertEquals(5, stream.heads());
    assertEquals(2, stream.classesPerHead());
    assertEquals(dir.toString(), stream.source());
    assertEquals(5, stream.tasks().size());
    for (Task task : stream.tasks()) {
      int t = task.id();
      // Labels cycle 0..9, so task t holds training rows 2t, 2t+1, 2t+10, 2t+11 and test rows 2t,
      // 2t+1.
      assertTaskRows(
          task.train(),
          data.train(),
          t,
          new int[] {0, 1, 0, 1},
          2 * t,
          2 * t + 1,
          2 * t + 10,
          2 * t + 11);
      assertTaskRows(task.test(), data.test(), t, new int[] {0, 1}, 2 * t, 2 * t + 1);
    }
  }

  @Test
  void classIncrementalKeepsGlobalLabels() {
    SplitStream stream = SplitStream.classIncremental(data);

    assertEquals("split-fashion-mnist (class-incremental)", stream.name());
    assertEquals(1, stream.heads());
    assertEquals(10, stream.classesPerHead());
    for (Task task : stream.tasks()) {
      int t = task.id();
      assertTaskRows(
          task.train(),
          data.train(),
          t,
          new int[] {2 * t, 2 * t + 1, 2 * t, 2 * t + 1},
          2 * t,
          2 * t + 1,
          2 * t + 10,
          2 * t + 11);
    }
  }

  @Test
  void tasksAreNamedAfterTheirClassPairs() {
    List<String> names =
        SplitStream.taskIncremental(data).tasks().stream().map(Task::name).toList();

    assertEquals(
        List.of(
            "T-shirt/top vs Trouser",
            "Pullover vs Dress",
            "Coat vs Sandal",
            "Shirt vs Sneaker",
            "Bag vs Ankle boot"),
        names);
  }

  private static void assertTaskRows(
      Examples actual, Examples all, int task, int[] labels, int... rows) {
    assertArrayEquals(labels, actual.labels());
    int[] tasks = new int[rows.length];
    Arrays.fill(tasks, task);
    assertArrayEquals(tasks, actual.tasks());
    float[] features = new float[rows.length * 784];
    all.gather(rows, 0, rows.length, features, new int[rows.length], new int[rows.length]);
    assertArrayEquals(features, actual.features());
  }
}
