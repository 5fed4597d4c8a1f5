package dev.metaplastic.serve;

import static dev.metaplastic.serve.TestModels.CLASSES;
import static dev.metaplastic.serve.TestModels.HEADS;
import static dev.metaplastic.serve.TestModels.INPUT_SIZE;
import static dev.metaplastic.serve.TestModels.example;
import static dev.metaplastic.serve.TestModels.expected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorTest {
  private static final double TOLERANCE = 1e-6;

  @TempDir static Path models;
  private static Path multiDir;
  private static Path singleDir;
  private static Predictor multi;
  private static Predictor single;

  @BeforeAll
  static void exportModels() {
    multiDir = TestModels.multiHead(models.resolve("multi"));
    singleDir = TestModels.singleHead(models.resolve("single"));
    multi = Predictor.open(multiDir);
    single = Predictor.open(singleDir);
  }

  @AfterAll
  static void closePredictors() {
    multi.close();
    single.close();
  }

  @Test
  void readsTheSignature() {
    assertEquals(INPUT_SIZE, multi.inputSize());
    assertEquals(CLASSES, multi.classes());
    assertTrue(multi.multiHead());
    assertEquals(OptionalInt.of(HEADS), multi.heads());
    assertEquals(INPUT_SIZE, single.inputSize());
    assertEquals(CLASSES, single.classes());
    assertFalse(single.multiHead());
    assertEquals(OptionalInt.empty(), single.heads());
  }

  @Test
  void singleRowMatchesPlainJava() {
    float[] x = example(3);
    assertClose(expected(x, 0), single.predict(new float[][] {x})[0]);
    assertClose(expected(x, 0), multi.predict(new float[][] {x}, new int[] {0})[0]);
    assertClose(expected(x, 1), multi.predict(new float[][] {x}, new int[] {1})[0]);
  }

  @Test
  void batchMatchesPlainJavaPerHead() {
    int n = 9;
    float[][] x = new float[n][];
    int[] task = new int[n];
    for (int i = 0; i < n; i++) {
      x[i] = example(i);
      task[i] = (i * 5) % HEADS;
    }
    float[][] p = multi.predict(x, task);
    float[][] q = single.predict(x);
    assertEquals(n, p.length);
    for (int i = 0; i < n; i++) {
      assertClose(expected(x[i], task[i]), p[i]);
      assertClose(expected(x[i], 0), q[i]);
    }
  }

  @Test
  void flatPathMatchesRows() {
    int n = 5;
    float[][] rows = new float[n][];
    float[] flat = new float[n * INPUT_SIZE];
    int[] task = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = example(100 + i);
      System.arraycopy(rows[i], 0, flat, i * INPUT_SIZE, INPUT_SIZE);
      task[i] = i % HEADS;
    }
    float[] p = multi.predictFlat(flat, n, task);
    float[][] byRows = multi.predict(rows, task);
    assertEquals(n * CLASSES, p.length);
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < CLASSES; c++) {
        assertEquals(byRows[i][c], p[i * CLASSES + c]);
      }
    }
    float[] s = single.predictFlat(flat, n, null);
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < CLASSES; c++) {
        assertEquals(expected(rows[i], 0)[c], s[i * CLASSES + c], TOLERANCE);
      }
    }
  }

  @Test
  void nanIsPassedThrough() {
    float[] x = {Float.NaN, 0, 0, 0};
    float[] p = single.predict(new float[][] {x})[0];
    assertTrue(Float.isNaN(p[0]), "NaN in, NaN out");
  }

  @Test
  void multiHeadWithoutTasksIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> multi.predict(new float[][] {example(1)}));
    assertEquals(
        "the model in "
            + multiDir
            + " is multi-head: call predict(x, task) with the head of each"
            + " example",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> multi.predictFlat(example(1), 1, null));
    assertEquals(
        "the model in " + multiDir + " is multi-head: task ids are needed, one per example",
        e.getMessage());
  }

  @Test
  void singleHeadWithTasksIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> single.predict(new float[][] {example(1)}, new int[] {0}));
    assertEquals(
        "the model in " + singleDir + " is single-head: it takes no task ids (got 1)",
        e.getMessage());
  }

  @Test
  void wrongRowLengthIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> single.predict(new float[][] {{1, 2, 3, 4, 5}}));
    assertEquals("row 0 has 5 features, expected 4", e.getMessage());
  }

  @Test
  void raggedRowsAreRefused() {
    float[][] x = {example(0), example(1), example(2), {1, 2}};
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> multi.predict(x, new int[] {0, 1, 0, 1}));
    assertEquals("row 3 has 2 features, expected 4", e.getMessage());
    float[][] withNull = {example(0), null};
    e = assertThrows(IllegalArgumentException.class, () -> single.predict(withNull));
    assertEquals("row 1 is null", e.getMessage());
  }

  @Test
  void emptyBatchIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> single.predict(new float[0][]));
    assertEquals("empty batch: x has no rows", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> single.predictFlat(new float[0], 0, null));
    assertEquals("empty batch: count must be positive, got 0", e.getMessage());
  }

  @Test
  void flatLengthMustMatchCount() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> single.predictFlat(new float[7], 2, null));
    assertEquals("x has 7 values, expected count × inputSize = 2 × 4 = 8", e.getMessage());
  }

  @Test
  void wrongTaskLengthIsRefused() {
    float[][] x = {example(0), example(1)};
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> multi.predict(x, new int[] {0}));
    assertEquals("task has 1 ids for a batch of 2 examples", e.getMessage());
  }

  @Test
  void taskOutOfRangeIsRefused() {
    float[][] x = {example(0), example(1)};
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> multi.predict(x, new int[] {0, 2}));
    assertEquals("task[1] = 2 is out of range: the model has 2 heads (0..1)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> multi.predict(x, new int[] {-1, 0}));
    assertEquals("task[0] = -1 is out of range: the model has 2 heads (0..1)", e.getMessage());
  }

  @Test
  void openRefusesWhatIsNotAUsableSavedModel(@TempDir Path dir) throws Exception {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Predictor.open(empty));
    assertEquals(empty + " is not a SavedModel: no saved_model.pb", e.getMessage());

    Path missing = dir.resolve("missing");
    e = assertThrows(IllegalArgumentException.class, () -> Predictor.open(missing));
    assertEquals("SavedModel directory " + missing + " does not exist", e.getMessage());

    Path garbage = Files.createDirectory(dir.resolve("garbage"));
    Files.writeString(garbage.resolve("saved_model.pb"), "not a protocol buffer");
    e = assertThrows(IllegalArgumentException.class, () -> Predictor.open(garbage));
    assertTrue(
        e.getMessage()
            .startsWith(
                "cannot load SavedModel " + garbage + " (its graph or variables are damaged): "),
        e.getMessage());

    Path otherKey =
        TestModels.export(dir.resolve("other-key"), false, "predict", "x", "probabilities");
    e = assertThrows(IllegalArgumentException.class, () -> Predictor.open(otherKey));
    assertEquals(
        otherKey + " has no serving_default signature (signatures: [predict])", e.getMessage());

    Path noX =
        TestModels.export(dir.resolve("no-x"), false, "serving_default", "input", "probabilities");
    e = assertThrows(IllegalArgumentException.class, () -> Predictor.open(noX));
    assertEquals(
        noX + ": signature serving_default has no input 'x' (inputs: [input])", e.getMessage());

    Path noP = TestModels.export(dir.resolve("no-p"), false, "serving_default", "x", "scores");
    e = assertThrows(IllegalArgumentException.class, () -> Predictor.open(noP));
    assertEquals(
        noP
            + ": signature serving_default has no output 'probabilities' (outputs: [logits, scores])",
        e.getMessage());
  }

  @Test
  void eightThreadsGetTheSingleThreadedResults() throws Exception {
    int threads = 8;
    int calls = 200;
    float[][][][] inputs = new float[threads][calls][][];
    int[][][] tasks = new int[threads][calls][];
    float[][][][] expectedResults = new float[threads][calls][][];
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < calls; i++) {
        int batch = 1 + (t + i) % 6;
        inputs[t][i] = new float[batch][];
        tasks[t][i] = new int[batch];
        for (int r = 0; r < batch; r++) {
          inputs[t][i][r] = example(t * 100_000 + i * 10 + r);
          tasks[t][i][r] = (t + i + r) % HEADS;
        }
        expectedResults[t][i] = multi.predict(inputs[t][i], tasks[t][i]);
      }
    }
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger matched = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < calls; i++) {
                    float[][] p = multi.predict(inputs[id][i], tasks[id][i]);
                    assertEquals(expectedResults[id][i].length, p.length);
                    for (int r = 0; r < p.length; r++) {
                      assertArrayEquals(expectedResults[id][i][r], p[r]);
                    }
                    matched.incrementAndGet();
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              },
              "predictor-" + t);
      worker.start();
      workers.add(worker);
    }
    start.countDown();
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(60));
    }
    assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    assertEquals(threads * calls, matched.get());
  }

  @Test
  void predictAfterCloseIsIllegalState() {
    Predictor predictor = Predictor.open(singleDir);
    predictor.close();
    predictor.close();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> predictor.predict(new float[][] {example(0)}));
    assertEquals("the predictor for " + singleDir + " is closed", e.getMessage());
    assertThrows(IllegalStateException.class, () -> predictor.predictFlat(example(0), 1, null));
  }

  @Test
  void closeWhilePredictingLetsCallsFinishOrFail() throws Exception {
    Predictor predictor = Predictor.open(multiDir);
    float[][] x = {example(7), example(8)};
    int[] task = {0, 1};
    float[][] want = predictor.predict(x, task);
    int threads = 8;
    CountDownLatch warmedUp = new CountDownLatch(threads);
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger refused = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                int done = 0;
                try {
                  while (true) {
                    float[][] p = predictor.predict(x, task);
                    assertArrayEquals(want[0], p[0]);
                    assertArrayEquals(want[1], p[1]);
                    if (++done == 5) {
                      warmedUp.countDown();
                    }
                  }
                } catch (IllegalStateException e) {
                  refused.incrementAndGet();
                } catch (Throwable e) {
                  failures.add(e);
                } finally {
                  if (done < 5) {
                    warmedUp.countDown();
                  }
                }
              },
              "closing-" + t);
      worker.start();
      workers.add(worker);
    }
    assertTrue(warmedUp.await(60, TimeUnit.SECONDS));
    predictor.close();
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(60));
      assertFalse(worker.isAlive(), worker.getName() + " still running after close");
    }
    assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    assertEquals(threads, refused.get());
  }

  @Test
  void toStringDescribesTheModel() {
    assertEquals(
        "Predictor[" + multiDir + ": 4 features → 3 classes, multi-head (2 heads)]",
        multi.toString());
  }

  @Test
  void benchmarkReportsPercentiles() {
    String report = PredictorBenchmark.run(multiDir, 10);
    assertTrue(report.contains("p50"), report);
    assertTrue(report.contains("batch   1"), report);
    assertTrue(report.contains("batch  64"), report);
  }

  private static void assertClose(double[] want, float[] got) {
    assertEquals(want.length, got.length);
    for (int c = 0; c < want.length; c++) {
      assertEquals(want[c], got[c], TOLERANCE, "class " + c);
    }
  }
}
