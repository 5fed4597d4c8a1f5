package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Checks {@link GradientProjectionMemory} against a plain-Java double computation: the input
 * correlation C = Σ w a aᵀ of the augmented inputs a = [x, 1] recovered from per-example gradients,
 * the growth of the projection P by the energy criterion (eigenvectors from a Jacobi eigensolver)
 * over three boundaries, and the projected step S − P·S.
 */
class GradientProjectionMemoryTest {
  private static final int SAMPLES = 3;
  private static final float WEIGHT = 1f / SAMPLES;
  private static final int N = LinearHead.INPUTS + 1;

  @Test
  void correlationProjectionAndStepsMatchPlainJavaOverThreeBoundaries() {
    double threshold = 0.9;
    try (LinearHead head = new LinearHead(new GradientProjectionMemory.Config(threshold, 3), 41)) {
      Random random = new Random(17);
      double[][] projection = new double[N][N];
      for (int task = 0; task < 3; task++) {
        double[][] correlation = new double[N][N];
        for (int k = 0; k < SAMPLES; k++) {
          // Inputs of one task lie near a task-specific direction, so each boundary adds a part.
          double[] x = randomArray(random, LinearHead.INPUTS, 0.2);
          x[task] += 2;
          double[] a = {x[0], x[1], x[2], 1};
          for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
              correlation[i][j] += WEIGHT * a[i] * a[j];
            }
          }
          head.estimate(x, new long[] {task, k}, WEIGHT);
        }
        assertClose(flat(correlation), head.state(0, "representation"), 1e-4, "C, task " + task);
        head.consolidate();
        projection = grow(projection, correlation, threshold).projection();
        assertClose(flat(projection), head.state(0, "projection"), 1e-4, "P, task " + task);
        assertClose(new double[N * N], head.state(0, "representation"), "C cleared");
        checkBasis(head, projection, "task " + task);
        checkProjectedStep(head, projection, random);
      }
      // Three tasks in three directions with a shared constant input fill at most all 4 dims.
      assertTrue(trace(projection) >= 2.5, "P should span most of the input space by now");
    }
  }

  /** Before any boundary P = 0 and every step passes unchanged. */
  @Test
  void stepsPassUnchangedBeforeTheFirstBoundary() {
    try (LinearHead head = new LinearHead(new GradientProjectionMemory.Config(0.99, 1), 42)) {
      checkProjectedStep(head, new double[N][N], new Random(3));
    }
  }

  /**
   * On a layer wider than the protected subspace the steps go through the basis (2k ≤ in + 1): the
   * rank grows by the eigenvectors each boundary adds, and the projected steps equal S − P·S.
   */
  @Test
  void aWideLayerProjectsThroughItsBasisWhileTheRankIsLow() {
    int inputs = 40;
    int outputs = 3;
    int n = inputs + 1;
    try (var graph = new org.tensorflow.Graph();
        var session = new org.tensorflow.Session(graph)) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      Parameter w = parameter(registry, "w", inputs, outputs);
      Parameter b = parameter(registry, "b", outputs);
      var rule =
          (GradientProjectionMemory)
              new GradientProjectionMemory.Config(0.95, 1)
                  .attach(
                      new RuleConfig.Attachment(
                          registry, List.of(w, b), List.of(new DenseLayer(w, b))));
      Random random = new Random(23);
      var correlation = tf.placeholder(TFloat32.class);
      var representation = rule.state().get(1).variable();
      var load = tf.assign(representation, correlation);
      var consolidate = rule.consolidate(new Consolidation.Context(tf));
      var kernelStep = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(inputs, outputs)));
      var biasStep = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(outputs)));
      var steps =
          rule.transformSteps(
              new StepTransform.Context(tf, List.of(kernelStep, biasStep), tf.constant(0f)));
      double[][] projection = new double[n][n];
      int rank = 0;
      for (int task = 0; task < 3; task++) {
        // Inputs of a task near a 3-dimensional subspace of its own: the rank stays far below n /
        // 2.
        double[][] c = new double[n][n];
        for (int sample = 0; sample < 30; sample++) {
          double[] a = new double[n];
          for (int d = 0; d < 3; d++) {
            a[3 * task + d] = random.nextGaussian();
          }
          for (int i = 0; i < n; i++) {
            a[i] += 0.01 * random.nextGaussian();
          }
          a[inputs] = 1;
          for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
              c[i][j] += a[i] * a[j] / 30;
            }
          }
        }
        try (TFloat32 ct = TestTensors.tensor(flat(c), new long[] {n, n})) {
          session.runner().feed(correlation, ct).addTarget(load).run();
        }
        TestTensors.runAll(session, consolidate);
        GrownProjection grown = grow(projection, c, 0.95);
        projection = grown.projection();
        rank += grown.added();
        assertClose(
            flat(projection), TestTensors.read(session, rule.state().get(0).variable()), 1e-4, "P");
        assertEquals(
            rank,
            TestTensors.read(session, rule.state().get(3).variable())[0],
            "rank, task " + task);
        assertTrue(2 * rank <= n, "the basis serves: rank " + rank);
        double[][] s = new double[n][outputs];
        for (double[] row : s) {
          for (int j = 0; j < outputs; j++) {
            row[j] = random.nextGaussian();
          }
        }
        double[] kernel = new double[inputs * outputs];
        for (int i = 0; i < inputs; i++) {
          for (int j = 0; j < outputs; j++) {
            kernel[i * outputs + j] = s[i][j];
          }
        }
        double[][] expected = subtract(s, multiply(projection, s));
        try (TFloat32 kt = TestTensors.tensor(kernel, new long[] {inputs, outputs});
            TFloat32 bt = TestTensors.tensor(s[inputs], new long[] {outputs});
            var result =
                session
                    .runner()
                    .feed(kernelStep, kt)
                    .feed(biasStep, bt)
                    .fetch(steps.get(0))
                    .fetch(steps.get(1))
                    .run()) {
          double[] gotKernel = TestTensors.toDoubles((TFloat32) result.get(0));
          double[] gotBias = TestTensors.toDoubles((TFloat32) result.get(1));
          for (int i = 0; i < inputs; i++) {
            for (int j = 0; j < outputs; j++) {
              assertEquals(expected[i][j], gotKernel[i * outputs + j], 1e-4, "step " + i + "," + j);
            }
          }
          for (int j = 0; j < outputs; j++) {
            assertEquals(expected[inputs][j], gotBias[j], 1e-4, "bias step " + j);
          }
        }
      }
    }
  }

  /**
   * A file written before the basis was state has only P: the basis derived from it spans P's range
   * (U_k·U_kᵀ = P) with P's rank.
   */
  @Test
  void theBasisDerivedFromAStoredProjectionSpansIt() {
    try (LinearHead head = new LinearHead(new GradientProjectionMemory.Config(0.9, 1), 46)) {
      head.estimate(new double[] {1, 2, 3}, new long[] {0, 0}, 0.5f);
      head.estimate(new double[] {-1, 0.5, 2}, new long[] {0, 1}, 0.5f);
      head.consolidate();
      double[] stored = head.state(0, "projection");
      Ops tf = head.tf;
      var derived =
          ((DerivedState) head.rule)
              .derive(
                  tf,
                  name ->
                      tf.constant(
                          Shape.of(N, N),
                          DataBuffers.of(TestTensors.toFloat(stored), true, false)));
      assertEquals(
          List.of("gpm/head/kernel/basis", "gpm/head/kernel/rank"), List.copyOf(derived.keySet()));
      double[] basis = head.read(derived.get("gpm/head/kernel/basis"));
      double rank = head.read(derived.get("gpm/head/kernel/rank"))[0];
      assertEquals(head.state(0, "rank")[0], rank, "rank");
      checkBasis(basis, rank, unflat(stored), "derived");
    }
  }

  /**
   * With ε = 1 the inputs of a consolidated task keep their exact outputs under any projected step.
   */
  @Test
  void projectedStepsLeaveConsolidatedInputsUnchanged() {
    try (LinearHead head = new LinearHead(new GradientProjectionMemory.Config(1.0, 2), 43)) {
      double[] x1 = {0.5, -1, 2};
      double[] x2 = {1.5, 0.3, -0.7};
      head.estimate(x1, new long[] {0, 0}, 0.5f);
      head.estimate(x2, new long[] {0, 1}, 0.5f);
      head.consolidate();
      double[][] step = projectedStep(head, new Random(5));
      for (double[] x : List.of(x1, x2)) {
        double[] a = {x[0], x[1], x[2], 1};
        for (int j = 0; j < LinearHead.CLASSES; j++) {
          double change = 0;
          for (int i = 0; i < N; i++) {
            change += a[i] * step[i][j];
          }
          assertEquals(0, change, 1e-5, "output " + j + " of a consolidated input moved");
        }
      }
    }
  }

  /** A boundary at which the layer saw no input (C = 0) keeps P, the basis and the rank. */
  @Test
  void aBoundaryWithoutInputsKeepsTheProtectedSubspace() {
    try (LinearHead head = new LinearHead(new GradientProjectionMemory.Config(0.9, 1), 47)) {
      head.estimate(new double[] {1, 2, 3}, new long[] {0, 0}, 1f);
      head.consolidate();
      List<double[]> before = new ArrayList<>();
      for (String state : List.of("projection", "basis", "rank")) {
        before.add(head.state(0, state));
      }
      assertEquals(1, before.get(2)[0], "one input, one direction");
      head.consolidate();
      for (int i = 0; i < 3; i++) {
        assertClose(
            before.get(i), head.state(0, List.of("projection", "basis", "rank").get(i)), 0, "kept");
      }
    }
  }

  @Test
  void rebaseClearsTheEstimateAndKeepsTheProjection() {
    try (LinearHead head = new LinearHead(new GradientProjectionMemory.Config(0.9, 1), 44)) {
      head.estimate(new double[] {1, 2, 3}, new long[] {0, 0}, 1f);
      head.consolidate();
      double[] projection = head.state(0, "projection");
      head.estimate(new double[] {3, 2, 1}, new long[] {0, 1}, 1f);
      head.rebase();
      assertClose(new double[N * N], head.state(0, "representation"), "estimate");
      assertClose(projection, head.state(0, "projection"), "projection");
    }
  }

  @Test
  void stateVariablesCarryContractNames() {
    try (LinearHead head = new LinearHead(new GradientProjectionMemory.Config(0.9, 7), 45)) {
      assertEquals(
          List.of(
              "gpm/head/kernel/projection",
              "gpm/head/kernel/representation",
              "gpm/head/kernel/basis",
              "gpm/head/kernel/rank"),
          head.rule.state().stream().map(StateVariable::name).toList());
      assertEquals(7, head.estimator().samples());
      assertFalse(head.rule instanceof Penalty);
      assertTrue(head.rule instanceof StepTransform);
    }
  }

  @Test
  void configValidatesAndRoundTripsThroughHyperparameters() {
    var config = new GradientProjectionMemory.Config(0.97, 300);
    assertEquals(Map.of("threshold", 0.97, "samples", 300.0), config.hyperparameters());
    assertEquals(config, Rules.fromHyperparameters("gpm", config.hyperparameters()));
    var threshold =
        assertThrows(
            IllegalArgumentException.class, () -> new GradientProjectionMemory.Config(1.5, 1));
    assertEquals("GPM threshold must be in (0, 1], got 1.5", threshold.getMessage());
    var samples =
        assertThrows(
            IllegalArgumentException.class, () -> new GradientProjectionMemory.Config(0.9, 0));
    assertEquals("GPM samples must be >= 1, got 0", samples.getMessage());
  }

  /** A parameter that is not part of a dense layer is refused by name. */
  @Test
  void onlyDenseLayersCanBeGoverned() {
    try (var graph = new org.tensorflow.Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      Operand<TFloat32> init = tf.zeros(tf.constant(Shape.of(3)), TFloat32.class);
      Parameter gamma =
          new Parameter(
              "dense_0/batch_norm/gamma",
              registry.create("dense_0/batch_norm/gamma", init),
              init,
              Shape.of(3));
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new GradientProjectionMemory.Config(0.9, 1)
                      .attach(new RuleConfig.Attachment(registry, List.of(gamma))));
      assertTrue(e.getMessage().contains("dense_0/batch_norm/gamma"), e.getMessage());
    }
  }

  /**
   * The layers come from the attachment, not from names: a kernel and a bias named anything form a
   * layer when the model says so, a {@code <layer>/kernel} and {@code <layer>/bias} pair the model
   * does not report as a layer is refused, and a layer's kernel and bias are governed together or
   * not at all.
   */
  @Test
  void layersComeFromTheModelNotFromNames() {
    try (var graph = new org.tensorflow.Graph()) {
      VariableRegistry registry = new VariableRegistry(Ops.create(graph));
      Parameter w = parameter(registry, "w", 3, 2);
      Parameter b = parameter(registry, "b", 2);
      List<DenseLayer> layers = List.of(new DenseLayer(w, b));
      var config = new GradientProjectionMemory.Config(0.9, 1);
      ConsolidationRule rule =
          config.attach(new RuleConfig.Attachment(registry, List.of(w, b), layers));
      assertEquals(
          List.of("gpm/w/projection", "gpm/w/representation", "gpm/w/basis", "gpm/w/rank"),
          rule.state().stream().map(StateVariable::name).toList());
      assertEquals(Shape.of(4, 4), rule.state().get(0).variable().shape());

      Parameter kernel = parameter(registry, "dense_0/kernel", 3, 2);
      Parameter bias = parameter(registry, "dense_0/bias", 2);
      assertRefused(
          "dense_0/kernel of shape [3, 2] is in none of them",
          config,
          new RuleConfig.Attachment(registry, List.of(kernel, bias)));
      assertRefused(
          "GPM governs whole dense layers: kernel w is governed without its bias b",
          config,
          new RuleConfig.Attachment(registry, List.of(w), layers));
      assertRefused(
          "GPM governs whole dense layers: bias b is governed without its kernel w",
          config,
          new RuleConfig.Attachment(registry, List.of(b), layers));
    }
  }

  private static void assertRefused(
      String message, RuleConfig config, RuleConfig.Attachment attachment) {
    var e = assertThrows(IllegalArgumentException.class, () -> config.attach(attachment));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  /** A dense layer needs a kernel [in, out] and a bias [out]. */
  @Test
  void aDenseLayerChecksItsShapes() {
    try (var graph = new org.tensorflow.Graph()) {
      VariableRegistry registry = new VariableRegistry(Ops.create(graph));
      Parameter w = parameter(registry, "w", 3, 2);
      Parameter b = parameter(registry, "b", 3);
      var e = assertThrows(IllegalArgumentException.class, () -> new DenseLayer(w, b));
      assertEquals(
          "a dense layer needs a kernel [in, out] and a bias [out], got w of shape [3, 2] and b of"
              + " shape [3]",
          e.getMessage());
      DenseLayer layer = new DenseLayer(w, parameter(registry, "b2", 2));
      assertEquals(3, layer.inputs());
      assertEquals(2, layer.outputs());
    }
  }

  private static Parameter parameter(VariableRegistry registry, String name, long... shape) {
    return InitialValue.zeros(registry.root(), Shape.of(shape)).createParameter(registry, name);
  }

  /** The rule's basis and rank: orthonormal rows up to the rank, zeros after, U_k·U_kᵀ = P. */
  private static void checkBasis(LinearHead head, double[][] projection, String what) {
    checkBasis(head.state(0, "basis"), head.state(0, "rank")[0], projection, what);
  }

  private static void checkBasis(double[] basis, double rank, double[][] projection, String what) {
    int n = projection.length;
    int k = (int) rank;
    assertEquals(k, rank, what + ": whole rank");
    double[][] u = unflat(basis);
    double[][] spanned = new double[n][n];
    for (int a = 0; a < n; a++) {
      for (int c = 0; c < n; c++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += u[a][i] * u[c][i];
          spanned[i][c] += a < k ? u[a][i] * u[a][c] : 0;
        }
        double expected = a == c && a < k ? 1 : 0;
        assertEquals(expected, dot, 1e-5, what + ": row " + a + " · row " + c);
      }
    }
    assertClose(flat(projection), flat(spanned), 1e-4, what + ": U_k U_kᵀ = P");
  }

  private static double[][] unflat(double[] values) {
    int n = (int) Math.round(Math.sqrt(values.length));
    double[][] out = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(values, i * n, out[i], 0, n);
    }
    return out;
  }

  private static double[][] subtract(double[][] x, double[][] y) {
    double[][] out = new double[x.length][x[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[0].length; j++) {
        out[i][j] = x[i][j] - y[i][j];
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- plain Java

  /** Runs transformSteps on random steps and compares with S − P·S computed in double. */
  private static void checkProjectedStep(LinearHead head, double[][] projection, Random random) {
    double[] kernel = randomArray(random, LinearHead.INPUTS * LinearHead.CLASSES, 1.0);
    double[] bias = randomArray(random, LinearHead.CLASSES, 1.0);
    double[][] step = new double[N][LinearHead.CLASSES];
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < LinearHead.CLASSES; j++) {
        step[i][j] = i < LinearHead.INPUTS ? kernel[i * LinearHead.CLASSES + j] : bias[j];
      }
    }
    double[][] expected = new double[N][LinearHead.CLASSES];
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < LinearHead.CLASSES; j++) {
        double s = step[i][j];
        for (int k = 0; k < N; k++) {
          s -= projection[i][k] * step[k][j];
        }
        expected[i][j] = s;
      }
    }
    List<Operand<TFloat32>> out = transform(head, kernel, bias);
    double[] gotKernel = head.read(out.get(0));
    double[] gotBias = head.read(out.get(1));
    double[] wantKernel = new double[kernel.length];
    double[] wantBias = new double[bias.length];
    for (int j = 0; j < LinearHead.CLASSES; j++) {
      for (int i = 0; i < LinearHead.INPUTS; i++) {
        wantKernel[i * LinearHead.CLASSES + j] = expected[i][j];
      }
      wantBias[j] = expected[LinearHead.INPUTS][j];
    }
    assertClose(wantKernel, gotKernel, 1e-4, "projected kernel step");
    assertClose(wantBias, gotBias, 1e-4, "projected bias step");
  }

  /** transformSteps of the rule on constant steps, as [N, CLASSES] rows of the augmented step. */
  private static double[][] projectedStep(LinearHead head, Random random) {
    double[] kernel = randomArray(random, LinearHead.INPUTS * LinearHead.CLASSES, 1.0);
    double[] bias = randomArray(random, LinearHead.CLASSES, 1.0);
    List<Operand<TFloat32>> out = transform(head, kernel, bias);
    double[] k = head.read(out.get(0));
    double[] b = head.read(out.get(1));
    double[][] step = new double[N][LinearHead.CLASSES];
    for (int j = 0; j < LinearHead.CLASSES; j++) {
      for (int i = 0; i < LinearHead.INPUTS; i++) {
        step[i][j] = k[i * LinearHead.CLASSES + j];
      }
      step[LinearHead.INPUTS][j] = b[j];
    }
    return step;
  }

  private static List<Operand<TFloat32>> transform(
      LinearHead head, double[] kernel, double[] bias) {
    Ops tf = head.tf;
    List<Operand<TFloat32>> steps = new ArrayList<>();
    steps.add(constant(tf, kernel, LinearHead.SHAPES[0]));
    steps.add(constant(tf, bias, LinearHead.SHAPES[1]));
    // GPM reads no loss: any scalar will do.
    return ((StepTransform) head.rule)
        .transformSteps(new StepTransform.Context(tf, steps, tf.constant(0f)));
  }

  private static Operand<TFloat32> constant(Ops tf, double[] values, long[] shape) {
    return tf.constant(Shape.of(shape), DataBuffers.of(TestTensors.toFloat(values), true, false));
  }

  /**
   * P + Σ_{i ≤ k} v_i v_iᵀ for the eigenpairs of (I − P)·C·(I − P), largest first, with the
   * smallest k such that tr(P·C) + Σ_{i ≤ k} λ_i ≥ ε·tr(C).
   */
  static GrownProjection grow(double[][] p, double[][] c, double threshold) {
    int n = p.length;
    double[][] q = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        q[i][j] = (i == j ? 1 : 0) - p[i][j];
      }
    }
    double[][] residual = multiply(multiply(q, c), q);
    double total = trace(c);
    double captured = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        captured += p[i][j] * c[j][i];
      }
    }
    Eigen eigen = jacobi(residual);
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(eigen.values[b], eigen.values[a]));
    double[][] out = new double[n][];
    for (int i = 0; i < n; i++) {
      out[i] = p[i].clone();
    }
    double energy = captured;
    int added = 0;
    for (int idx : order) {
      double lambda = eigen.values[idx];
      if (energy >= threshold * total || lambda <= GradientProjectionMemory.NOISE_FLOOR * total) {
        break;
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          out[i][j] += eigen.vectors[i][idx] * eigen.vectors[j][idx];
        }
      }
      energy += lambda;
      added++;
    }
    return new GrownProjection(out, added);
  }

  /** P after a boundary and the number of eigenvectors the boundary added to it. */
  record GrownProjection(double[][] projection, int added) {}

  private record Eigen(double[] values, double[][] vectors) {}

  /** Cyclic Jacobi rotations until the off-diagonal part vanishes; columns of vectors. */
  private static Eigen jacobi(double[][] symmetric) {
    int n = symmetric.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = symmetric[i].clone();
    }
    double[][] v = new double[n][n];
    for (int i = 0; i < n; i++) {
      v[i][i] = 1;
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0;
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          off += a[i][j] * a[i][j];
        }
      }
      if (off < 1e-30) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (Math.abs(a[p][q]) < 1e-300) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
          }
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = a[i][i];
    }
    return new Eigen(values, v);
  }

  private static double[][] multiply(double[][] x, double[][] y) {
    double[][] out = new double[x.length][y[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < y[0].length; j++) {
        for (int k = 0; k < y.length; k++) {
          out[i][j] += x[i][k] * y[k][j];
        }
      }
    }
    return out;
  }

  private static double trace(double[][] x) {
    double t = 0;
    for (int i = 0; i < x.length; i++) {
      t += x[i][i];
    }
    return t;
  }

  private static double[] flat(double[][] x) {
    double[] out = new double[x.length * x[0].length];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, out, i * x[0].length, x[0].length);
    }
    return out;
  }
}
