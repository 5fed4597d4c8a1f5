package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratedStreamTest {
  private static GeneratedStream stream;

  @BeforeAll
  static void generate() {
    stream = GeneratedStream.of(5, 11, 2000);
  }

  @Test
  void hasTheAdvertisedShape() {
    assertEquals("generated-split (task-incremental)", stream.name());
    assertEquals("generated (no data set needed)", stream.source());
    assertEquals(784, stream.featureSize());
    assertEquals(5, stream.heads());
    assertEquals(2, stream.classesPerHead());
    assertEquals(
        List.of(
            "generated task 0",
            "generated task 1",
            "generated task 2",
            "generated task 3",
            "generated task 4"),
        stream.tasks().stream().map(Task::name).toList());
    for (Task task : stream.tasks()) {
      assertShape(task.train(), 2000, task.id());
      assertShape(task.test(), 500, task.id());
    }
  }

  @Test
  void isReproducibleForASeed() {
    GeneratedStream again = GeneratedStream.of(5, 11, 2000);
    GeneratedStream otherSeed = GeneratedStream.of(2, 12, 2000);

    assertEquals(stream.tasks(), again.tasks());
    assertNotEquals(stream.tasks().get(0), otherSeed.tasks().get(0));
  }

  @Test
  void earlyTasksDoNotDependOnTheNumberOfTasks() {
    GeneratedStream shorter = GeneratedStream.of(2, 11, 2000);

    assertEquals(stream.tasks().subList(0, 2), shorter.tasks());
    assertEquals(2, shorter.heads());
  }

  @Test
  void noTaskIsSeparableByItsClassMeans() {
    for (Task task : stream.tasks()) {
      float[][] means = classMeans(task.train());
      Examples test = task.test();
      int correct = 0;
      for (int i = 0; i < test.size(); i++) {
        double toFirst = squaredDistance(test.features(), i, means[0]);
        double toSecond = squaredDistance(test.features(), i, means[1]);
        if ((toSecond < toFirst ? 1 : 0) == test.labels()[i]) {
          correct++;
        }
      }
      double accuracy = correct / (double) test.size();
      assertTrue(accuracy < 0.6, task.name() + " nearest-mean accuracy " + accuracy);
    }
  }

  @Test
  void hasTenThousandTrainingExamplesPerTaskByDefault() {
    GeneratedStream full = GeneratedStream.of(1, 11);
    assertShape(full.tasks().get(0).train(), 10_000, 0);
  }

  @Test
  void classesOfDifferentTasksOverlap() {
    float[][][] means = new float[5][][];
    for (Task task : stream.tasks()) {
      means[task.id()] = classMeans(task.train());
    }
    double total = 0;
    int pairs = 0;
    for (int t = 0; t < 5; t++) {
      for (int u = t + 1; u < 5; u++) {
        for (int c = 0; c < 2; c++) {
          for (int d = 0; d < 2; d++) {
            total += cosine(means[t][c], means[u][d]);
            pairs++;
          }
        }
      }
    }
    double meanCosine = total / pairs;
    assertTrue(meanCosine > 0.5, "mean cross-task cosine similarity " + meanCosine);
  }

  @Test
  void rejectsFewerThanOneTask() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GeneratedStream.of(0, 1));

    assertEquals("need at least 1 generated task, got 0", e.getMessage());
  }

  private static void assertShape(Examples examples, int size, int task) {
    assertEquals(size, examples.size());
    assertEquals(784, examples.featureSize());
    int[] tasks = new int[size];
    Arrays.fill(tasks, task);
    assertArrayEquals(tasks, examples.tasks());
    assertEquals(size / 2, Arrays.stream(examples.labels()).filter(label -> label == 1).count());
    assertEquals(size / 2, Arrays.stream(examples.labels()).filter(label -> label == 0).count());
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float value : examples.features()) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    assertTrue(min >= 0 && max <= 1, "features range over [" + min + ", " + max + "]");
  }

  private static float[][] classMeans(Examples examples) {
    float[][] means = new float[2][784];
    int[] counts = new int[2];
    for (int i = 0; i < examples.size(); i++) {
      int label = examples.labels()[i];
      counts[label]++;
      for (int j = 0; j < 784; j++) {
        means[label][j] += examples.features()[i * 784 + j];
      }
    }
    for (int c = 0; c < 2; c++) {
      for (int j = 0; j < 784; j++) {
        means[c][j] /= counts[c];
      }
    }
    return means;
  }

  private static double squaredDistance(float[] features, int row, float[] mean) {
    double sum = 0;
    for (int j = 0; j < 784; j++) {
      double d = features[row * 784 + j] - mean[j];
      sum += d * d;
    }
    return sum;
  }

  private static double cosine(float[] a, float[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int j = 0; j < a.length; j++) {
      ab += a[j] * b[j];
      aa += a[j] * a[j];
      bb += b[j] * b[j];
    }
    return ab / Math.sqrt(aa * bb);
  }
}
