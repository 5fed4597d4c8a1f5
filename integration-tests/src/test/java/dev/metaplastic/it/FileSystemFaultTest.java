package dev.metaplastic.it;

import static dev.metaplastic.it.FaultReplayTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-only and full file systems under every writer: checkpoints, exports, imports and
 * predictions. Each fault ends with exit status 2 and one {@code error:} line, and leaves nothing
 * half-written: no temporary sibling, no partial checkpoint, a previous output file unchanged.
 *
 * <p>Where this process may mount (root, as on the project's machines and CI), the read-only file
 * system is a tmpfs mounted read-only and the full one a 5 MB tmpfs. Where it may not, the faults
 * are simulated instead of skipped: a directory without write permission, and a child process whose
 * file size limit ({@code ulimit -f}) makes writes fail as a full disk does.
 */
class FileSystemFaultTest {
  @TempDir static Path root;
  static Path run;
  static Path export;
  static Path readOnly;
  static Path full;
  static boolean mounted;

  @BeforeAll
  static void trainExportAndMount() throws Exception {
    run = root.resolve("run");
    CliRun trained =
        CliRun.of(
            "train",
            "--stream",
            "generated",
            "--tasks",
            "2",
            "--hidden",
            "16",
            "--epochs",
            "1",
            "--no-progress",
            "--out",
            run.toString());
    assertEquals(0, trained.status(), trained.err());
    export = root.resolve("export");
    CliRun exported = CliRun.of("export", run.resolve("checkpoints").toString(), export.toString());
    assertEquals(0, exported.status(), exported.err());
    readOnly = Files.createDirectories(root.resolve("read-only"));
    full = Files.createDirectories(root.resolve("full"));
    mounted = mount(readOnly, "ro,size=1m") && mount(full, "size=5m");
    if (!mounted) {
      unmount(readOnly);
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
  }

  @AfterAll
  static void unmountAll() throws Exception {
    if (mounted) {
      unmount(readOnly);
      unmount(full);
    } else {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void readOnlyFileSystemRefusesEveryWriterBeforeAnyWork() throws IOException {
    String refused = mounted ? "Read-only file system" : "permission denied";
    Path csv = Files.writeString(root.resolve("x.csv"), FaultReplayTest.csvRows(2, ","));
    Path out = root.resolve("train-out");
    List<String[]> commands =
        List.of(
            new String[] {
              "export", run.resolve("checkpoints").toString(), readOnly.resolve("m").toString()
            },
            new String[] {"import", export.toString(), readOnly.resolve("m").toString()},
            new String[] {
              "train",
              "--stream",
              "generated",
              "--no-progress",
              "--out",
              readOnly.resolve("o").toString()
            },
            new String[] {
              "train",
              "--stream",
              "generated",
              "--no-progress",
              "--out",
              out.toString(),
              "--export",
              readOnly.resolve("m").toString()
            },
            new String[] {
              "predict",
              export.toString(),
              "--input",
              csv.toString(),
              "--task",
              "0",
              "--output",
              readOnly.resolve("p.csv").toString()
            });
    for (String[] command : commands) {
      CliRun result = CliRun.of(command);
      assertOneLineError(result, refused);
      assertFalse(result.out().contains("accuracy"), "nothing may train first: " + result.out());
    }
    assertFalse(Files.exists(out), "train --export to a read-only place must fail before --out");
    try (Stream<Path> left = Files.list(readOnly)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void fullDiskLeavesNoHalfWrittenCheckpointExportOrPrediction() throws Exception {
    Path predictions = Files.writeString(full.resolve("p.csv"), "old predictions\n");
    Path csv = Files.writeString(root.resolve("rows.csv"), FaultReplayTest.csvRows(3000, ","));
    Path out = full.resolve("out");
    // Checkpoints of a 784-512-512 model with Adam and SI take about 20 MB.
    String[] train = {
      "train",
      "--stream",
      "generated",
      "--tasks",
      "2",
      "--hidden",
      "512,512",
      "--epochs",
      "1",
      "--no-progress",
      "--out",
      out.toString()
    };
    String[] exportCommand = {
      "export", run.resolve("checkpoints").toString(), full.resolve("model").toString()
    };
    String[] predict = {
      "predict",
      export.toString(),
      "--input",
      csv.toString(),
      "--task",
      "0",
      "--output",
      predictions.toString()
    };
    if (mounted) {
      assertOneLineError(CliRun.of(train), "No space left on device");
      Path filler = fill(full, 8 * 1024);
      assertOneLineError(CliRun.of(exportCommand), "No space left on device");
      assertOneLineError(CliRun.of(predict), "No space left on device");
      Files.delete(filler);
    } else {
      for (String[] command : List.of(train, exportCommand, predict)) {
        assertLimitedChildFails(command, "File too large");
      }
    }
    assertEquals("old predictions\n", Files.readString(predictions));
    assertFalse(Files.exists(full.resolve("model")));
    try (Stream<Path> all = Files.walk(full)) {
      List<String> names = new ArrayList<>();
      all.forEach(p -> names.add(full.relativize(p).toString()));
      assertTrue(
          names.stream()
              .noneMatch(n -> n.contains(".tmp-") || n.contains("ckpt-") || n.endsWith("LATEST")),
          "half-written files left: " + names);
    }
  }

  /** Fills a file system until only about {@code free} bytes are left; returns the filler. */
  private static Path fill(Path dir, long free) throws IOException {
    Path filler = dir.resolve("filler");
    long size = Files.getFileStore(dir).getUsableSpace() - free;
    Files.write(filler, new byte[(int) Math.max(0, size)]);
    return filler;
  }

  /** Runs the command line in a child JVM whose files may not grow beyond 256 KB. */
  private static void assertLimitedChildFails(String[] command, String expected) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "bash",
                "-c",
                "ulimit -f 256; exec \"$0\" -cp \"$1\" dev.metaplastic.cli.Main \"${@:2}\"",
                ProcessHandle.current().info().command().orElse("java"),
                System.getProperty("java.class.path")));
    args.addAll(List.of(command));
    Process child =
        new ProcessBuilder(args).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(child.getErrorStream().readAllBytes());
    assertTrue(child.waitFor(120, TimeUnit.SECONDS));
    assertEquals(2, child.exitValue(), err);
    List<String> errors = err.lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), err);
    assertTrue(errors.get(0).contains(expected), err);
    assertFalse(err.contains("\tat "), err);
  }

  private static boolean mount(Path dir, String options) {
    try {
      Process p =
          new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void unmount(Path dir) throws Exception {
    new ProcessBuilder("umount", dir.toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor(30, TimeUnit.SECONDS);
  }
}
