package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContinuationStreamTest {
  @TempDir Path dir;

  private FashionMnist data() {
    return FashionMnist.load(
        IdxTestFiles.writeFashionMnist(dir, 40, 20, false, IdxTestFiles.PATTERN));
  }

  @Test
  void permutedStartsWithTheOriginalTaskThenThePermutedStreamsLaterTasks() {
    FashionMnist data = data();
    ContinuationStream stream = ContinuationStream.of("permuted", data, 2, 7, 1000);
    List<Task> permuted = PermutedStream.of(data, 3, 7, 1000).tasks();

    assertEquals("Fashion-MNIST, then 2 new permuted tasks", stream.name());
    assertEquals(1, stream.heads());
    assertEquals(10, stream.classesPerHead());
    assertEquals(
        List.of(ContinuationStream.ORIGINAL, "permutation 1", "permutation 2"),
        stream.tasks().stream().map(Task::name).toList());
    assertEquals(data.test(), stream.tasks().get(0).test());
    for (int t = 0; t < 3; t++) {
      assertEquals(permuted.get(t).train(), stream.tasks().get(t).train());
      assertEquals(permuted.get(t).test(), stream.tasks().get(t).test());
    }
  }

  @Test
  void splitClassLearnsClassPairsOnTheTenClassHeadWithTaskIdsOfThisStream() {
    FashionMnist data = data();
    ContinuationStream stream = ContinuationStream.of("split-class", data, 2, 3, 5);
    List<Task> tasks = stream.tasks();

    assertEquals(
        List.of(ContinuationStream.ORIGINAL, "T-shirt/top vs Trouser", "Pullover vs Dress"),
        tasks.stream().map(Task::name).toList());
    assertEquals(5, tasks.get(0).train().size(), "a subset of 5 training images");
    assertArrayEquals(data.test().labels(), tasks.get(0).test().labels());
    for (int t = 1; t < 3; t++) {
      Task task = tasks.get(t);
      assertEquals(5, task.train().size());
      int first = 2 * (t - 1);
      for (Examples examples : List.of(task.train(), task.test())) {
        assertTrue(
            Arrays.stream(examples.labels()).allMatch(l -> l == first || l == first + 1),
            "global labels of pair " + first);
        assertTrue(Arrays.stream(examples.tasks()).allMatch(id -> id == task.id()));
      }
      assertEquals(t, task.id());
    }
  }

  @Test
  void refusesUnknownKindsAndTooManyClassPairs() {
    FashionMnist data = data();
    assertEquals(
        "unknown kind of new tasks 'split', expected one of permuted, split-class",
        assertThrows(
                IllegalArgumentException.class,
                () -> ContinuationStream.of("split", data, 2, 0, 10))
            .getMessage());
    assertEquals(
        "split-class has 5 class pairs, so at most 5 new tasks; got --tasks 6",
        assertThrows(
                IllegalArgumentException.class,
                () -> ContinuationStream.of("split-class", data, 6, 0, 10))
            .getMessage());
  }
}
