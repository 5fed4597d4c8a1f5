package dev.metaplastic.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskStreamsTest {
  @TempDir Path dir;

  @Test
  void buildsEachKind() {
    IdxTestFiles.writeTinyFashionMnist(dir);

    TaskStream split = TaskStreams.named("split", dir, 5, 1);
    TaskStream splitClass = TaskStreams.named("split-class", dir, 5, 1);
    TaskStream permuted = TaskStreams.named("permuted", dir, 3, 1);
    TaskStream permutedTask = TaskStreams.named("permuted-task", dir, 3, 1);

    assertInstanceOf(SplitStream.class, split);
    assertEquals(5, split.heads());
    assertInstanceOf(SplitStream.class, splitClass);
    assertEquals(1, splitClass.heads());
    assertInstanceOf(PermutedStream.class, permuted);
    assertEquals(3, permuted.tasks().size());
    assertEquals(1, permuted.heads());
    assertInstanceOf(PermutedStream.class, permutedTask);
    assertEquals(3, permutedTask.tasks().size());
    assertEquals(3, permutedTask.heads());
  }

  @Test
  void generatedKindNeedsNoData() {
    TaskStream stream = TaskStreams.named("generated", dir.resolve("absent"), 2, 1);

    assertInstanceOf(GeneratedStream.class, stream);
    assertEquals(2, stream.tasks().size());
  }

  @Test
  void missingDataDirectoryIsADataException() {
    Path absent = dir.resolve("absent");

    DataException e =
        assertThrows(DataException.class, () -> TaskStreams.named("split", absent, 5, 1));

    assertEquals("data directory " + absent + " does not exist", e.getMessage());
  }

  @Test
  void unknownKindListsTheValidKinds() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TaskStreams.named("rotated", dir, 5, 1));

    assertEquals(
        "unknown task stream kind 'rotated', expected one of split, split-class, permuted,"
            + " permuted-task, generated",
        e.getMessage());
  }

  @Test
  void datasetPresentLooksForTheFourFiles() {
    assertFalse(TaskStreams.datasetPresent(dir));
    IdxTestFiles.writeTinyFashionMnist(dir);
    assertTrue(TaskStreams.datasetPresent(dir));
  }
}
