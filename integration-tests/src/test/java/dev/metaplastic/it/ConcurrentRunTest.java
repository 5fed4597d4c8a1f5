package dev.metaplastic.it;

import static dev.metaplastic.it.FaultReplayTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.cli.Main;
import dev.metaplastic.files.OutputLock;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.savedmodel.SavedModelValidator;
import dev.metaplastic.serve.Predictor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults that need a second process: two runs on one output directory, and exports killed at random
 * moments. Each child JVM pays TensorFlow's start-up once, so the cases are few and long.
 */
class ConcurrentRunTest {
  /** Exports killed, at most, until one kill lands while an export is staged. */
  private static final int ROUNDS = 8;

  @TempDir Path dir;

  @Test
  void aSecondRunOnTheSameOutputIsRefusedNamingTheFirst() throws Exception {
    Path out = dir.resolve("out");
    Process first =
        child(
            Main.class,
            "train",
            "--stream",
            "generated",
            "--tasks",
            "3",
            "--hidden",
            "256,256",
            "--epochs",
            "40",
            "--checkpoint-every",
            "4",
            "--no-progress",
            "--out",
            out.toString());
    try {
      Path store = out.resolve("checkpoints");
      waitFor(() -> Files.exists(store.resolve("LATEST")), first, 100);
      assertTrue(Files.readString(store.resolve(OutputLock.FILE)).contains("pid " + first.pid()));
      List<String> before = Listing.of(Files.createDirectories(dir.resolve("second")));
      assertOneLineError(
          CliRun.of(
              "train",
              "--stream",
              "generated",
              "--tasks",
              "3",
              "--hidden",
              "16",
              "--epochs",
              "1",
              "--no-progress",
              "--out",
              out.toString()),
          "checkpoint directory " + store + " is in use by another run (pid " + first.pid());
      assertOneLineError(
          CliRun.of(
              "train",
              "--resume",
              store.toString(),
              "--no-progress",
              "--out",
              dir.resolve("second").toString()),
          "is in use by another run (pid " + first.pid());
      assertEquals(before, Listing.of(dir.resolve("second")));
      assertTrue(first.isAlive(), "the first run must go on undisturbed");
    } finally {
      first.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
    }
    // A killed holder leaves no stale lock: the system released it with the process.
    OutputLock.acquire(out.resolve("checkpoints"), "checkpoint directory").close();
  }

  @Test
  void killedExportsLeaveCompleteModelsOrNothingAndTheNextExportCleansUp() throws Exception {
    // A kill may land after the staging directory appeared and before its rename (then it stays
    // with partial content), or after the rename and before its removal (then it stays with only
    // its lock file beside the complete model); the next export to the same target must remove it,
    // whether it writes or is refused. Up to ROUNDS rounds for one such kill. A kill in the
    // microseconds between the directory's creation and its lock file's leaves it empty and
    // unlocked, which a live writer's directory also is for that long: it is removed once older
    // than a minute, so the test ages it.
    Path run = dir.resolve("run");
    CliRun trained =
        CliRun.of(
            "train",
            "--stream",
            "generated",
            "--tasks",
            "2",
            "--hidden",
            "64",
            "--epochs",
            "1",
            "--no-progress",
            "--out",
            run.toString());
    assertEquals(0, trained.status(), trained.err());
    Path checkpoints = run.resolve("checkpoints");
    Random random = new Random(17);
    Path exports = Files.createDirectories(dir.resolve("exports"));
    Path leftover = null;
    List<String> seen = new ArrayList<>();
    for (int round = 0; round < ROUNDS && leftover == null; round++) {
      Path target = Files.createDirectories(exports.resolve("round-" + round));
      Process child = child(ExportLoop.class, checkpoints.toString(), target.toString());
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = lines.readLine();
      assertTrue(line != null && line.startsWith("exported"), "the child failed: " + line);
      seen.add(line);
      // Kill while the next export is staged: the model is built first, then written, which
      // takes tens of milliseconds, so the staging directory is polled every millisecond.
      waitFor(() -> staging(target), child, 1);
      Thread.sleep(random.nextInt(20));
      child.destroyForcibly();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS));
      try (Stream<Path> entries = Files.list(target)) {
        for (Path entry : entries.toList()) {
          String name = entry.getFileName().toString();
          if (name.startsWith(".tmp-")) {
            leftover = entry;
          } else {
            assertEquals(List.of(), SavedModelValidator.problems(entry), name);
            Predictor.open(entry).close(); // complete: every variable restores
          }
        }
      }
    }
    assertTrue(
        leftover != null, "no kill landed during an export in " + ROUNDS + " rounds: " + seen);
    String name = leftover.getFileName().toString();
    Path target = leftover.resolveSibling(name.substring(".tmp-".length(), name.lastIndexOf('-')));
    boolean committed = Files.exists(target);
    if (Files.notExists(leftover.resolve(Outputs.STAGING_LOCK))) {
      try (Stream<Path> left = Files.list(leftover)) {
        assertEquals(List.of(), left.toList(), "a staging directory without its lock is empty");
      }
      Files.setLastModifiedTime(
          leftover, FileTime.from(Instant.now().minus(2, ChronoUnit.MINUTES)));
    }
    if (committed) {
      // The kill landed after the rename (the target was checked complete above) and before the
      // sibling's removal: only the lock file is left, and the refused export removes it too.
      try (Stream<Path> left = Files.list(leftover)) {
        assertEquals(
            List.of(Outputs.STAGING_LOCK), left.map(p -> p.getFileName().toString()).toList());
      }
    }
    CliRun again = CliRun.of("export", checkpoints.toString(), target.toString());
    if (committed) {
      assertOneLineError(again, "already exists and is not empty");
    } else {
      assertEquals(0, again.status(), again.err());
    }
    assertTrue(
        Files.notExists(leftover), "the export should remove its dead predecessor's " + name);
  }

  private static boolean staging(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith(".tmp-"));
    }
  }

  interface Condition {
    boolean holds() throws IOException;
  }

  private static void waitFor(Condition condition, Process child, long pollMillis)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (!condition.holds()) {
      assertTrue(child.isAlive(), "the child process ended early");
      assertTrue(System.nanoTime() < deadline, "timed out waiting for the child process");
      Thread.sleep(pollMillis);
    }
  }

  private static Process child(Class<?> main, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }
}
