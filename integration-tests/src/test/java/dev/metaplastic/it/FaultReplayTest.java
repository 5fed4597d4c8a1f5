package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.serve.Predictor;
import dev.metaplastic.train.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the faults of the reliability report one by one through the command line, in this JVM:
 * damaged data, swapped data on resume, hand-damaged checkpoints, outputs in impossible places,
 * sizes beyond the machine, bad CSV values and bad options. Each must end with exit status 2 and
 * exactly one line {@code error: …} naming the problem, without a stack trace, and change nothing
 * on disk: the case's directory lists the same files, sizes and times after the command as before,
 * and the shared fixtures are untouched at the end.
 *
 * <p>The file-system faults that need a mount (read-only, full) are in {@link FileSystemFaultTest};
 * concurrent runs and kills, which need a second process, in {@link ConcurrentRunTest}.
 */
class FaultReplayTest {
  @TempDir static Path root;
  static Path dataA;
  static Path dataB;
  static Path run;
  static Path export;
  static Path csv;
  private static List<String> fixtures;

  @BeforeAll
  static void trainAndExport() throws IOException {
    dataA = SmallFashionMnist.write(root.resolve("data-a"), 200, 50, 1);
    dataB = SmallFashionMnist.write(root.resolve("data-b"), 200, 50, 2);
    run = root.resolve("run-a");
    CliRun trained = CliRun.of(smallTrain(dataA, run));
    assertEquals(0, trained.status(), trained.out() + trained.err());
    export = root.resolve("export-a");
    CliRun exported = CliRun.of("export", run.resolve("checkpoints").toString(), export.toString());
    assertEquals(0, exported.status(), exported.out() + exported.err());
    csv = root.resolve("x.csv");
    Files.writeString(csv, csvRows(3, ","));
    fixtures = Listing.of(root);
  }

  @AfterAll
  static void fixturesUnchanged() throws IOException {
    List<String> now = new ArrayList<>(Listing.of(root));
    now.removeIf(entry -> entry.startsWith("case-"));
    assertEquals(fixtures, now, "a fault case changed the shared fixtures");
  }

  /** A fault: what to prepare in a fresh directory, the command, and what its one line says. */
  interface Setup {
    String[] prepare(Path work) throws IOException;
  }

  record Fault(String name, Setup setup, String expected) {}

  static List<Fault> faults() {
    List<Fault> f = new ArrayList<>();
    // 1. Corrupted data is refused before training.
    f.add(
        new Fault(
            "gzip CRC byte flipped",
            w -> trainOn(damaged(w, SmallFashionMnist.TEST_LABELS, FaultReplayTest::flipCrc), w),
            "is a corrupt gzip file (Corrupt GZIP trailer)"));
    f.add(
        new Fault(
            "gzip length field wrong",
            w -> trainOn(damaged(w, SmallFashionMnist.TRAIN_IMAGES, FaultReplayTest::flipSize), w),
            "is a corrupt gzip file (Corrupt GZIP trailer)"));
    f.add(
        new Fault(
            "test labels shifted by one byte",
            w -> trainOn(damagedContent(w, SmallFashionMnist.TEST_LABELS, c -> insert(c, 8)), w),
            "holds more bytes than its header declares (50 labels)"));
    f.add(
        new Fault(
            "train labels cut short by one byte",
            w ->
                trainOn(
                    damagedContent(
                        w,
                        SmallFashionMnist.TRAIN_LABELS,
                        c -> java.util.Arrays.copyOf(c, c.length - 1)),
                    w),
            "is truncated: its header promises 200 label bytes"));
    f.add(
        new Fault(
            "label out of range",
            w -> trainOn(damagedContent(w, SmallFashionMnist.TEST_LABELS, c -> set(c, 20, 10)), w),
            "holds label 10 at index 12, expected a class index from 0 to 9"));
    f.add(
        new Fault(
            "fewer labels than images",
            w ->
                trainOn(
                    damagedContent(
                        w, SmallFashionMnist.TRAIN_LABELS, c -> SmallFashionMnist.labels(199)),
                    w),
            "holds 200 images but"));
    f.add(
        new Fault(
            "a 3-image data set",
            w -> trainOn(SmallFashionMnist.write(w.resolve("data"), 3, 3, 5), w),
            "every task needs at least one of each"));
    // 2. Resume refuses other data, wherever it is found.
    f.add(
        new Fault(
            "resume with the run's data directory now holding other data",
            w -> {
              Path data = Listing.copy(dataB, w.resolve("data"));
              Path copy = Listing.copy(run, w.resolve("run"));
              rewriteRuns(copy, dataA.toString(), data.toString());
              return new String[] {
                "train",
                "--resume",
                copy.resolve("checkpoints").toString(),
                "--out",
                w.resolve("out").toString()
              };
            },
            "is not the data checkpoint"));
    f.add(
        new Fault(
            "resume with --data-dir naming other data",
            w ->
                new String[] {
                  "train",
                  "--resume",
                  Listing.copy(run, w.resolve("run")).resolve("checkpoints").toString(),
                  "--data-dir",
                  dataB.toString(),
                  "--out",
                  w.resolve("out").toString()
                },
            "is not the data checkpoint"));
    // 3. File-system faults and hand-damaged checkpoints.
    f.add(
        new Fault(
            "export under a regular file",
            w -> {
              Files.writeString(w.resolve("file"), "x");
              return exportTo(w.resolve("file/sub"));
            },
            "is a file, not a directory"));
    f.add(
        new Fault(
            "export to a dangling symbolic link",
            w -> exportTo(Files.createSymbolicLink(w.resolve("link"), w.resolve("nowhere"))),
            "is a symbolic link to"));
    f.add(
        new Fault(
            "export to a symbolic link to a non-empty directory",
            w -> {
              Files.createDirectories(w.resolve("full"));
              Files.writeString(w.resolve("full/keep"), "x");
              return exportTo(Files.createSymbolicLink(w.resolve("link"), w.resolve("full")));
            },
            "already exists and is not empty"));
    f.add(
        new Fault(
            "export to an empty path",
            w -> new String[] {"export", run.resolve("checkpoints").toString(), ""},
            "is empty"));
    f.add(
        new Fault(
            "import to a dangling symbolic link",
            w ->
                new String[] {
                  "import",
                  export.toString(),
                  Files.createSymbolicLink(w.resolve("link"), w.resolve("nowhere")).toString()
                },
            "already exists; import into a new directory"));
    f.add(
        new Fault(
            "train --out a regular file",
            w -> {
              Files.writeString(w.resolve("file"), "x");
              return new String[] {
                "train", "--stream", "generated", "--out", w.resolve("file").toString()
              };
            },
            "is a file; give a directory"));
    f.add(
        new Fault(
            "train --export an existing directory",
            w -> {
              Files.createDirectories(w.resolve("there"));
              return new String[] {
                "train",
                "--stream",
                "generated",
                "--out",
                w.resolve("out").toString(),
                "--export",
                w.resolve("there").toString()
              };
            },
            "already exists; export into a new directory"));
    f.add(
        new Fault(
            "predict --output a directory",
            w -> predict("--output", Files.createDirectories(w.resolve("dir")).toString()),
            "is a directory; give a file name"));
    f.add(
        new Fault(
            "predict --output equal to --input",
            w -> {
              Path input = Files.copy(csv, w.resolve("x.csv"));
              return new String[] {
                "predict",
                export.toString(),
                "--input",
                input.toString(),
                "--task",
                "0",
                "--output",
                input.toString()
              };
            },
            "is the input file"));
    for (String command : List.of("resume", "export")) {
      f.add(
          new Fault(
              command + " with LATEST not UTF-8",
              w -> {
                Path store = Listing.copy(run, w.resolve("run")).resolve("checkpoints");
                Files.write(store.resolve("LATEST"), new byte[] {(byte) 0xff, (byte) 0xfe, 'c'});
                return onCheckpoint(command, store, w);
              },
              "LATEST is damaged: it is not UTF-8 text"));
      f.add(
          new Fault(
              command + " with run.pbtxt at task 17",
              w -> onCheckpoint(command, editLatestRun(w, "task: 17"), w),
              "it stands at task 17, but its data stream has tasks 0 to 4"));
      f.add(
          new Fault(
              command + " with run.pbtxt at offset -5",
              w -> onCheckpoint(command, editLatestRun(w, "offset: -5"), w),
              "offset -5"));
    }
    // 4. A SavedModel without its variables is refused at load.
    f.add(
        new Fault(
            "predict with a SavedModel without variables",
            w -> {
              Path model = Listing.copy(export, w.resolve("model"));
              Listing.deleteTree(model.resolve("variables"));
              return new String[] {
                "predict", model.toString(), "--input", csv.toString(), "--task", "0"
              };
            },
            "but there is no variables/variables.index"));
    f.add(
        new Fault(
            "predict with a truncated variables file",
            w -> {
              Path model = Listing.copy(export, w.resolve("model"));
              Path data = model.resolve("variables/variables.data-00000-of-00001");
              byte[] bytes = Files.readAllBytes(data);
              Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 2));
              return new String[] {
                "predict", model.toString(), "--input", csv.toString(), "--task", "0"
              };
            },
            "cannot load SavedModel"));
    // 5. Sizes are bounded before anything is allocated.
    f.add(new Fault("--batch 3000000", w -> generated(w, "--batch", "3000000"), "one batch holds"));
    f.add(new Fault("--batch 5478275", w -> generated(w, "--batch", "5478275"), "one batch holds"));
    f.add(
        new Fault(
            "--hidden 2147483647",
            w -> generated(w, "--hidden", "2147483647"),
            "more than this machine's"));
    f.add(
        new Fault(
            "--tasks 1000000",
            w -> generated(w, "--tasks", "1000000"),
            "1000000 tasks are more than the 1000 a stream may have"));
    f.add(
        new Fault(
            "predict on a 10 MB line",
            w -> {
              Path input = w.resolve("long.csv");
              Files.writeString(input, "1,".repeat(5_000_000) + "1\n");
              return predictOn(input);
            },
            "line 1 is longer than 50176 characters"));
    // 7-8. Predictions: non-finite values, one-line option errors.
    for (String value : List.of("NaN", "Infinity", "-Infinity")) {
      f.add(
          new Fault(
              "predict on " + value,
              w -> predictOn(Files.writeString(w.resolve("in.csv"), row(value, ","))),
              value + " is not a finite number; pass --allow-nonfinite"));
    }
    f.add(
        new Fault(
            "predict on 1e39",
            w -> predictOn(Files.writeString(w.resolve("in.csv"), row("1e39", ","))),
            "1e39 is beyond float32's range"));
    f.add(
        new Fault(
            "an unknown option",
            w -> new String[] {"train", "--frobnicate"},
            "Unknown option: '--frobnicate' (see 'metaplastic train --help')"));
    f.add(
        new Fault(
            "a bad option value",
            w -> new String[] {"train", "--batch", "many"},
            "(see 'metaplastic train --help')"));
    // 9. --tasks where it does not apply.
    f.add(
        new Fault(
            "--tasks with --stream split",
            w ->
                new String[] {
                  "train", "--stream", "split", "--tasks", "3", "--out", w.resolve("out").toString()
                },
            "--tasks does not apply to --stream split"));
    return f;
  }

  @TestFactory
  Stream<DynamicTest> everyFaultIsOneLineAndChangesNothing() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    int index = 0;
    for (Fault fault : faults()) {
      Path work = Files.createDirectories(root.resolve("case-" + index++));
      tests.add(
          DynamicTest.dynamicTest(
              fault.name(),
              () -> {
                String[] args = fault.setup().prepare(work);
                List<String> before = Listing.of(work);
                CliRun result = CliRun.of(args);
                assertOneLineError(result, fault.expected());
                assertEquals(before, Listing.of(work), "the command changed files on disk");
              }));
    }
    return tests.stream();
  }

  @org.junit.jupiter.api.Test
  void checkpointsRecordTheDataAbsolutelyAndResumeFollowsItWhenMoved() throws IOException {
    Path latest = Checkpoints.resolve(run.resolve("checkpoints"));
    StreamDescription data = Checkpoints.read(latest).stream();
    assertEquals(dataA.toAbsolutePath().normalize().toString(), data.directory());
    assertTrue(data.sha256().matches("[0-9a-f]{64}"), data.sha256());
    Path work = Files.createDirectories(root.resolve("case-moved"));
    Path copy = Listing.copy(run, work.resolve("run"));
    Path moved = Listing.copy(dataA, work.resolve("elsewhere"));
    CliRun resumed =
        CliRun.of(
            "train",
            "--resume",
            copy.resolve("checkpoints").toString(),
            "--data-dir",
            moved.toString(),
            "--no-progress",
            "--out",
            work.resolve("out").toString());
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.out().contains("resuming"), resumed.out());
  }

  @org.junit.jupiter.api.Test
  void predictReadsAByteOrderMarkSemicolonsAndNonFiniteValuesWhenAllowed() throws IOException {
    Path work = Files.createDirectories(root.resolve("case-csv"));
    CliRun plain = CliRun.of(predictOn(csv));
    assertEquals(0, plain.status(), plain.err());
    String european = "\uFEFF" + csvRows(3, ";").replace('.', ',');
    CliRun semicolons = CliRun.of(predictOn(Files.writeString(work.resolve("eu.csv"), european)));
    assertEquals(0, semicolons.status(), semicolons.err());
    assertEquals(plain.out(), semicolons.out());
    CliRun nan =
        CliRun.of(
            "predict",
            export.toString(),
            "--input",
            Files.writeString(work.resolve("nan.csv"), row("NaN", ",")).toString(),
            "--task",
            "0",
            "--allow-nonfinite");
    assertEquals(0, nan.status(), nan.err());
    assertEquals(1, nan.out().strip().lines().count(), nan.out());
  }

  @org.junit.jupiter.api.Test
  void aManifestThatContradictsItsGraphIsShownByInspectAndRefusedByLoaders() throws IOException {
    Path model = Listing.copy(export, root.resolve("case-contradicting"));
    Path manifest = model.resolve("assets/metaplastic.pbtxt");
    String text = Files.readString(manifest);
    Files.writeString(
        manifest,
        text.replace("heads: 5", "heads: 7")
            .replace("input_size: 784", "input_size: 100")
            .replace("name: \"si\"", "name: \"magic\""));
    CliRun inspect = CliRun.of("inspect", model.toString());
    assertEquals(0, inspect.status(), inspect.err());
    List<String> warnings = inspect.out().lines().filter(l -> l.startsWith("warning: ")).toList();
    assertTrue(
        warnings.stream().anyMatch(w -> w.contains("7 heads, the graph has 5")),
        warnings.toString());
    assertTrue(
        warnings.stream().anyMatch(w -> w.contains("dense_0/kernel the shape [100, 16]")),
        warnings.toString());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("rule 'magic'")), warnings.toString());
    assertOneLineError(CliRun.of(predictOn(csv, model)), "is inconsistent: ");
    assertThrows(InvalidInputException.class, () -> SavedModels.load(model).close());
  }

  @org.junit.jupiter.api.Test
  void verboseShowsWhatTheOneLineLeavesOut() throws IOException {
    Path model = Listing.copy(export, root.resolve("case-verbose"));
    Listing.deleteTree(model.resolve("variables"));
    assertThrows(InvalidInputException.class, () -> Predictor.open(model).close());
    CliRun verbose =
        CliRun.of(
            "predict", model.toString(), "--input", csv.toString(), "--task", "0", "--verbose");
    assertEquals(2, verbose.status());
    assertTrue(verbose.err().startsWith("error: "), verbose.err());
    assertTrue(
        verbose.err().contains("\tat "), "--verbose shows the stack trace: " + verbose.err());
  }

  /** Exit status 2, one line {@code error: …} holding {@code expected}, no stack trace. */
  static void assertOneLineError(CliRun result, String expected) {
    assertEquals(2, result.status(), result.out() + result.err());
    String err = result.err().strip();
    assertEquals(1, err.lines().count(), "one line expected: " + err);
    assertTrue(err.startsWith("error: "), err);
    assertTrue(err.contains(expected), "expected '" + expected + "' in: " + err);
    assertFalse(err.contains("\tat ") || err.contains("[[{{node"), err);
  }

  static String[] smallTrain(Path data, Path out) {
    return new String[] {
      "train",
      "--data-dir",
      data.toString(),
      "--hidden",
      "16",
      "--epochs",
      "1",
      "--batch",
      "32",
      "--checkpoint-every",
      "3",
      "--no-progress",
      "--out",
      out.toString()
    };
  }

  private static String[] trainOn(Path data, Path work) {
    return smallTrain(data, work.resolve("out"));
  }

  private static String[] generated(Path work, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--stream",
                "generated",
                "--no-progress",
                "--out",
                work.resolve("out").toString()));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  private static String[] exportTo(Path target) {
    return new String[] {"export", run.resolve("checkpoints").toString(), target.toString()};
  }

  private static String[] predict(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("predict", export.toString(), "--input", csv.toString(), "--task", "0"));
    args.addAll(List.of(extra));
    return args.toArray(new String[0]);
  }

  private static String[] predictOn(Path input) {
    return predictOn(input, export);
  }

  private static String[] predictOn(Path input, Path model) {
    return new String[] {"predict", model.toString(), "--input", input.toString(), "--task", "0"};
  }

  private static String[] onCheckpoint(String command, Path store, Path work) {
    return command.equals("resume")
        ? new String[] {
          "train",
          "--resume",
          store.toString(),
          "--no-progress",
          "--out",
          work.resolve("out").toString()
        }
        : new String[] {"export", store.toString(), work.resolve("exported").toString()};
  }

  /** A copy of the run whose latest run.pbtxt has {@code field} replaced (or added). */
  private static Path editLatestRun(Path work, String field) throws IOException {
    Path store = Listing.copy(run, work.resolve("run")).resolve("checkpoints");
    Path file =
        store.resolve(Files.readString(store.resolve("LATEST")).strip()).resolve("run.pbtxt");
    String name = field.substring(0, field.indexOf(':'));
    String text = Files.readString(file);
    String edited = text.replaceAll("(?m)^" + name + ": .*$", field);
    Files.writeString(file, edited.equals(text) ? text + field + "\n" : edited);
    return store;
  }

  /** Replaces {@code from} by {@code to} in every run.pbtxt of a copied run. */
  private static void rewriteRuns(Path runDir, String from, String to) throws IOException {
    try (Stream<Path> files = Files.walk(runDir)) {
      for (Path file : files.filter(p -> p.endsWith("run.pbtxt")).toList()) {
        Files.writeString(file, Files.readString(file).replace(from, to));
      }
    }
  }

  static String row(String first, String separator) {
    StringBuilder line = new StringBuilder(first);
    for (int i = 1; i < 784; i++) {
      line.append(separator).append((i % 7) / 7.0);
    }
    return line.append('\n').toString();
  }

  static String csvRows(int rows, String separator) {
    StringBuilder text = new StringBuilder();
    for (int r = 0; r < rows; r++) {
      text.append(row(String.valueOf(r / 10.0), separator));
    }
    return text.toString();
  }

  interface Damage {
    byte[] apply(byte[] bytes);
  }

  /** A copy of data set A whose file {@code name} (gzipped bytes) is damaged. */
  private static Path damaged(Path work, String name, Damage damage) throws IOException {
    Path data = Listing.copy(dataA, work.resolve("data"));
    Path file = data.resolve(name);
    Files.write(file, damage.apply(Files.readAllBytes(file)));
    return data;
  }

  /** A copy of data set A whose file {@code name} holds damaged content, validly gzipped. */
  private static Path damagedContent(Path work, String name, Damage damage) throws IOException {
    Path data = Listing.copy(dataA, work.resolve("data"));
    Path file = data.resolve(name);
    byte[] content;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
      content = in.readAllBytes();
    }
    SmallFashionMnist.gzip(file, damage.apply(content));
    return data;
  }

  private static byte[] flipCrc(byte[] gz) {
    gz[gz.length - 6] ^= (byte) 0xff;
    return gz;
  }

  private static byte[] flipSize(byte[] gz) {
    gz[gz.length - 2] ^= 1;
    return gz;
  }

  private static byte[] insert(byte[] content, int at) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(content, 0, at);
    out.write(9);
    out.write(content, at, content.length - at);
    return out.toByteArray();
  }

  private static byte[] set(byte[] content, int at, int value) {
    content[at] = (byte) value;
    return content;
  }

  static String text(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
