package dev.metaplastic.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.files.Outputs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The temporary siblings a writer leaves when it dies: removed by the next write to the same target
 * even when that write is refused, never while their writer lives.
 */
class StagedDirectoryTest {
  @TempDir Path dir;

  /**
   * A writer killed between its rename and the removal of its sibling leaves a complete target and
   * a sibling holding only the (no longer locked) lock file.
   */
  @Test
  void aRefusedTargetStillLosesTheSiblingItsDeadWriterLeft() throws Exception {
    Path target = Files.createDirectories(dir.resolve("model"));
    Path model = Files.writeString(target.resolve("saved_model.pb"), "complete");
    Path dead = deadWritersSibling("model-1");

    InvalidInputException refused =
        assertThrows(InvalidInputException.class, () -> StagedDirectory.checkTarget(target));

    assertTrue(refused.getMessage().contains("already exists and is not empty"));
    assertTrue(Files.notExists(dead), "the dead writer's sibling stays");
    assertEquals("complete", Files.readString(model));
  }

  @Test
  void aLiveWritersSiblingStaysAndTheSecondWriterGetsItsOwn() throws Exception {
    Path target = dir.resolve("model");
    Path dead = deadWritersSibling("model-1");
    try (StagedDirectory first = StagedDirectory.create(target)) {
      assertTrue(Files.notExists(dead));
      Path live = first.path().getParent();
      StagedDirectory.checkTarget(target);
      try (StagedDirectory second = StagedDirectory.create(target)) {
        assertTrue(Files.isDirectory(live), "a live writer's sibling must stay");
        assertTrue(!second.path().getParent().equals(live));
      }
    }
    try (var left = Files.list(dir)) {
      assertEquals(0, left.count(), "closing removes both writers' siblings");
    }
  }

  private Path deadWritersSibling(String name) throws Exception {
    Path sibling = Files.createDirectories(dir.resolve(Outputs.STAGING_PREFIX + name));
    Files.createFile(sibling.resolve(Outputs.STAGING_LOCK));
    return sibling;
  }
}
