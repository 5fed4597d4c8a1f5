package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PermutedStreamTest {
  /**
   * Images whose pixel multiset identifies them, whatever the permutation: pixel 0 holds the low 7
   * bits of the image index, pixel 1 holds 128 plus the high bits, and the rest are 0.
   */
  private static final IdxTestFiles.PixelFunction NUMBERED =
      (image, pixel) ->
          switch (pixel) {
            case 0 -> image & 0x7f;
            case 1 -> 128 + (image >> 7);
            default -> 0;
          };

  @TempDir Path dir;

  @Test
  void describesAOneHeadTenClassStream() {
    FashionMnist data = FashionMnist.load(IdxTestFiles.writeTinyFashionMnist(dir));

    PermutedStream stream = PermutedStream.of(data, 3, 42);

    assertEquals("permuted-fashion-mnist (domain-incremental)", stream.name());
    assertEquals(784, stream.featureSize());
    assertEquals(1, stream.heads());
    assertEquals(10, stream.classesPerHead());
    assertEquals(dir.toString(), stream.source());
    assertEquals(
        List.of("permutation 0 (identity)", "permutation 1", "permutation 2"),
        stream.tasks().stream().map(Task::name).toList());
  }

  @Test
  void taskZeroIsTheIdentityAndLaterTasksPermutePixelsConsistently() {
    FashionMnist data = FashionMnist.load(IdxTestFiles.writeTinyFashionMnist(dir));

    List<Task> tasks = PermutedStream.of(data, 3, 42).tasks();

    assertEquals(data.test(), tasks.get(0).test());
    for (int t = 1; t < 3; t++) {
      Examples test = tasks.get(t).test();
      assertArrayEquals(data.test().labels(), test.labels());
      assertArrayEquals(new int[] {t, t, t, t, t, t, t, t, t, t}, test.tasks());
      int[] permutation = recoverPermutation(data.test(), test);
      assertEquals(IntStream.range(0, 784).boxed().toList(), sorted(permutation));
      assertFalse(Arrays.equals(IntStream.range(0, 784).toArray(), permutation));
    }
    assertFalse(
        Arrays.equals(
            recoverPermutation(data.test(), tasks.get(1).test()),
            recoverPermutation(data.test(), tasks.get(2).test())));
  }

  @Test
  void isReproducibleForASeed() {
    FashionMnist data = FashionMnist.load(IdxTestFiles.writeTinyFashionMnist(dir));

    List<Task> first = PermutedStream.of(data, 3, 7).tasks();
    List<Task> second = PermutedStream.of(data, 3, 7).tasks();
    List<Task> otherSeed = PermutedStream.of(data, 3, 8).tasks();

    assertEquals(first, second);
    assertNotEquals(first.get(1).test(), otherSeed.get(1).test());
  }

  @Test
  void eachTaskTrainsOnADifferentSubsetOfTenThousandImages() {
    FashionMnist data =
        FashionMnist.load(IdxTestFiles.writeFashionMnist(dir, 10_050, 10, true, NUMBERED));

    List<Task> tasks = PermutedStream.of(data, 2, 3).tasks();

    Set<Integer> previous = Set.of();
    for (Task task : tasks) {
      int[] ids = imageIds(task.train());
      Set<Integer> distinct = new HashSet<>();
      for (int r = 0; r < ids.length; r++) {
        distinct.add(ids[r]);
        assertEquals(ids[r] % 10, task.train().labels()[r]);
      }
      assertEquals(PermutedStream.TRAIN_EXAMPLES_PER_TASK, ids.length);
      assertEquals(ids.length, distinct.size());
      assertNotEquals(previous, distinct);
      previous = distinct;
      assertArrayEquals(IntStream.range(0, 10).toArray(), imageIds(task.test()));
    }
  }

  @Test
  void taskIncrementalVariantHasTheSameExamplesAndOneHeadPerTask() {
    FashionMnist data =
        FashionMnist.load(IdxTestFiles.writeFashionMnist(dir, 10_050, 10, true, NUMBERED));

    PermutedStream domain = PermutedStream.of(data, 3, 5);
    PermutedStream task = PermutedStream.taskIncremental(data, 3, 5);

    assertEquals("permuted-fashion-mnist (task-incremental)", task.name());
    assertEquals(3, task.heads());
    assertEquals(10, task.classesPerHead());
    assertEquals(domain.featureSize(), task.featureSize());
    assertEquals(domain.source(), task.source());
    assertEquals(domain.tasks(), task.tasks());
    for (int t = 0; t < 3; t++) {
      Task permuted = task.tasks().get(t);
      int id = t;
      assertEquals(id, permuted.id());
      assertArrayEquals(domain.tasks().get(t).train().features(), permuted.train().features());
      assertArrayEquals(domain.tasks().get(t).test().features(), permuted.test().features());
      assertTrue(Arrays.stream(permuted.train().tasks()).allMatch(head -> head == id));
      assertTrue(Arrays.stream(permuted.test().tasks()).allMatch(head -> head == id));
    }
  }

  @Test
  void rejectsFewerThanOneTask() {
    FashionMnist data = FashionMnist.load(IdxTestFiles.writeTinyFashionMnist(dir));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PermutedStream.of(data, 0, 1));

    assertEquals("need at least 1 permuted task, got 0", e.getMessage());
  }

  /**
   * Finds, for each output pixel, the input pixel it came from (-1 if none), relying on {@link
   * IdxTestFiles#PATTERN} giving every pixel position a distinct sequence of values.
   */
  private static int[] recoverPermutation(Examples original, Examples permuted) {
    int[] permutation = new int[784];
    for (int j = 0; j < 784; j++) {
      int match = -1;
      for (int k = 0; k < 784 && match < 0; k++) {
        if (sameColumn(original, k, permuted, j)) {
          match = k;
        }
      }
      permutation[j] = match;
    }
    return permutation;
  }

  /** Whether input pixel k equals output pixel j in every example. */
  private static boolean sameColumn(Examples original, int k, Examples permuted, int j) {
    for (int i = 0; i < original.size(); i++) {
      if (original.features()[i * 784 + k] != permuted.features()[i * 784 + j]) {
        return false;
      }
    }
    return true;
  }

  private static List<Integer> sorted(int[] values) {
    return Arrays.stream(values).sorted().boxed().toList();
  }

  /** Decodes the image index of each example of {@link #NUMBERED}, whatever its permutation. */
  private static int[] imageIds(Examples examples) {
    int[] ids = new int[examples.size()];
    for (int r = 0; r < ids.length; r++) {
      int low = 0;
      int high = 0;
      for (int j = 0; j < 784; j++) {
        int value = Math.round(examples.features()[r * 784 + j] * 255);
        if (value >= 128) {
          high = value - 128;
        } else if (value > 0) {
          low = value;
        }
      }
      ids[r] = (high << 7) | low;
    }
    return ids;
  }
}
