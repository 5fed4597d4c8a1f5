package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.ops.Metaplasticity;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Checks the binarized MLP against plain-Java double computations: inference with sign weights,
 * sign activations and batch normalization from the moving statistics; the statistics' update; the
 * straight-through gradients; and that it learns a separable problem with metaplasticity.
 */
class BinarizedMlpTest {
  private static final MlpSpec MULTI = new MlpSpec(5, List.of(6, 4), 2, 3, 3, true);

  /** Batch normalizations of {@link #MULTI}: one per task in each hidden layer, one per head. */
  private static final List<String> MULTI_NORMS =
      List.of(
          "dense_0/batch_norm_0",
          "dense_0/batch_norm_1",
          "dense_1/batch_norm_0",
          "dense_1/batch_norm_1",
          "head_0/batch_norm",
          "head_1/batch_norm");

  @Test
  void variablesCarryContractNamesAndStatisticsAreNotParameters() {
    try (Graph g = new Graph()) {
      TrainingGraph training =
          new TrainingGraph(
              g,
              MULTI,
              OptimizerConfig.Adam.withLearningRate(0.01),
              List.of(new Metaplasticity.Config(1.35, Metaplasticity.Reference.ANCHOR)));
      List<String> names = new ArrayList<>(training.variables().keySet());
      List<String> parameters = training.parameters().stream().map(Parameter::name).toList();
      assertEquals(
          List.of(
              "dense_0/kernel",
              "dense_0/batch_norm_0/gamma",
              "dense_0/batch_norm_0/beta",
              "dense_0/batch_norm_1/gamma",
              "dense_0/batch_norm_1/beta",
              "dense_1/kernel",
              "dense_1/batch_norm_0/gamma",
              "dense_1/batch_norm_0/beta",
              "dense_1/batch_norm_1/gamma",
              "dense_1/batch_norm_1/beta",
              "head_0/kernel",
              "head_0/batch_norm/gamma",
              "head_0/batch_norm/beta",
              "head_1/kernel",
              "head_1/batch_norm/gamma",
              "head_1/batch_norm/beta"),
          parameters);
      for (String norm : MULTI_NORMS) {
        for (String stat : List.of("moving_mean", "moving_variance")) {
          String name = norm + "/" + stat;
          assertTrue(names.contains(name), name);
          assertTrue(training.loaders().containsKey(name), "loader of " + name);
        }
        assertFalse(names.contains("meta/" + norm + "/gamma/anchor"), names.toString());
      }
      for (String layer : List.of("dense_0", "dense_1", "head_0", "head_1")) {
        assertTrue(names.contains("meta/" + layer + "/kernel/anchor"), names.toString());
        assertTrue(names.contains("meta/" + layer + "/kernel/consolidated"), names.toString());
        assertTrue(g.operation(layer + "/binary_kernel") != null, "op " + layer + "/binary_kernel");
      }
      assertFalse(
          names.stream().anyMatch(n -> n.startsWith("dense_") && n.contains("/batch_norm/")));
      assertFalse(names.stream().anyMatch(n -> n.startsWith("adam/") && n.contains("moving")));
    }
  }

  /** With one head every layer keeps the single {@code <layer>/batch_norm}. */
  @Test
  void singleHeadModelKeepsOneNormalizationPerLayer() {
    try (Graph g = new Graph()) {
      TrainingGraph training =
          new TrainingGraph(
              g,
              new MlpSpec(5, List.of(6), 1, 3, 3, true),
              new OptimizerConfig.Sgd(0.1),
              List.of());
      assertEquals(
          List.of(
              "dense_0/kernel",
              "dense_0/batch_norm/gamma",
              "dense_0/batch_norm/beta",
              "dense_0/batch_norm/moving_mean",
              "dense_0/batch_norm/moving_variance",
              "head_0/kernel",
              "head_0/batch_norm/gamma",
              "head_0/batch_norm/beta",
              "head_0/batch_norm/moving_mean",
              "head_0/batch_norm/moving_variance"),
          training.variables().keySet().stream()
              .filter(n -> n.startsWith("dense_") || n.startsWith("head_"))
              .toList());
    }
  }

  /**
   * Inference logits equal a plain-Java forward pass with W_b = sign(W_h) (sign(0) = +1), BN from
   * the moving statistics of each example's task in every layer (the two tasks' hidden
   * normalizations differ), sign activations, and each example's head.
   */
  @Test
  void inferenceMatchesPlainJava() {
    try (Graph g = new Graph()) {
      TrainingGraph training = new TrainingGraph(g, MULTI, new OptimizerConfig.Sgd(0.1), List.of());
      try (Session s = new Session(g)) {
        Random random = new Random(17);
        List<String> layers = List.of("dense_0", "dense_1", "head_0", "head_1");
        int[] ins = {5, 6, 4, 4};
        int[] outs = {6, 4, 3, 3};
        double[][] kernel = new double[4][];
        for (int l = 0; l < 4; l++) {
          kernel[l] = gaussian(random, ins[l] * outs[l], 1.0);
          kernel[l][l] = 0; // sign(0) must be +1
          load(s, training, layers.get(l) + "/kernel", kernel[l]);
        }
        // bn[l][t]: normalization of layer l for task t (heads: their own, at t = 0)
        double[][][][] bn = new double[4][2][][];
        for (int l = 0; l < 4; l++) {
          for (int t = 0; t < (l < 2 ? 2 : 1); t++) {
            String norm = layers.get(l) + (l < 2 ? "/batch_norm_" + t : "/batch_norm");
            bn[l][t] = randomNorm(random, outs[l]);
            String[] stats = {"gamma", "beta", "moving_mean", "moving_variance"};
            for (int k = 0; k < 4; k++) {
              load(s, training, norm + "/" + stats[k], bn[l][t][k]);
            }
          }
        }
        int batch = 12;
        double[] x = gaussian(random, batch * 5, 1.0);
        int[] task = new int[batch];
        for (int i = 0; i < batch; i++) {
          task[i] = i % 2;
        }
        float[] logits = run(s, training, training.logits(), x, null, task);
        boolean hiddenNormsMatter = false;
        for (int i = 0; i < batch; i++) {
          double[] in = new double[5];
          System.arraycopy(x, i * 5, in, 0, 5);
          double[] expected = inferencePlain(in, kernel, outs, bn, task[i], task[i]);
          double[] otherTask = inferencePlain(in, kernel, outs, bn, task[i], 1 - task[i]);
          for (int c = 0; c < 3; c++) {
            assertEquals(expected[c], logits[i * 3 + c], 1e-4, "logit " + i + "," + c);
            hiddenNormsMatter |= Math.abs(otherTask[c] - expected[c]) > 1e-3;
          }
        }
        assertTrue(hiddenNormsMatter, "the other task's hidden normalization gives other logits");
      }
    }
  }

  /**
   * Plain-Java inference of one example through head {@code head}, hidden normalizations of task
   * {@code norm}.
   */
  private static double[] inferencePlain(
      double[] x, double[][] kernel, int[] outs, double[][][][] bn, int head, int norm) {
    double[] h = x;
    for (int l = 0; l < 2; l++) {
      h = signs(normalize(dense(h, kernel[l], outs[l]), bn[l][norm]));
    }
    return normalize(dense(h, kernel[2 + head], 3), bn[2 + head][0]);
  }

  /** {γ, β, mean, var} with γ and var in [0.2, ∞). */
  private static double[][] randomNorm(Random random, int width) {
    double[][] norm = new double[4][];
    for (int k = 0; k < 4; k++) {
      double[] v = gaussian(random, width, 0.7);
      if (k == 0 || k == 3) {
        for (int j = 0; j < v.length; j++) {
          v[j] = 0.2 + Math.abs(v[j]);
        }
      }
      norm[k] = v;
    }
    return norm;
  }

  /**
   * One training step with only task-0 examples moves every task-0 normalization's statistics by
   * 0.1 toward the batch's mean and unbiased variance; task 1's hidden normalizations and head keep
   * theirs.
   */
  @Test
  void trainingStepUpdatesMovingStatisticsFromTheBatch() {
    int[] task = new int[9]; // every example is task 0
    checkTrainingStep(23, task);
  }

  /**
   * In a batch mixing tasks, each task's normalizations in every layer take the statistics of that
   * task's examples only, and each example is normalized by its task's batch statistics.
   */
  @Test
  void trainingStepNormalizesEachTaskOverItsOwnExamples() {
    checkTrainingStep(29, new int[] {0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1});
  }

  /** Runs one SGD step on a random batch of the given tasks and checks every statistic. */
  private static void checkTrainingStep(long seed, int[] task) {
    try (Graph g = new Graph()) {
      TrainingGraph training = new TrainingGraph(g, MULTI, new OptimizerConfig.Sgd(0.1), List.of());
      try (Session s = new Session(g)) {
        Random random = new Random(seed);
        int batch = task.length;
        double[] x = gaussian(random, batch * 5, 1.0);
        int[] y = new int[batch];
        double[] w0 = read(s, training, "dense_0/kernel");
        double[] w1 = read(s, training, "dense_1/kernel");
        double[][] wh = {read(s, training, "head_0/kernel"), read(s, training, "head_1/kernel")};
        run(s, training, training.loss(), x, y, task);
        double[][] z0 = new double[batch][];
        double[][] z1 = new double[batch][];
        double[][] zh = new double[batch][];
        for (int i = 0; i < batch; i++) {
          double[] in = new double[5];
          System.arraycopy(x, i * 5, in, 0, 5);
          z0[i] = dense(in, w0, 6);
        }
        double[][] h0 = signs(batchNormalizeByTask(z0, task));
        for (int i = 0; i < batch; i++) {
          z1[i] = dense(h0[i], w1, 4);
        }
        double[][] h1 = signs(batchNormalizeByTask(z1, task));
        for (int i = 0; i < batch; i++) {
          zh[i] = dense(h1[i], wh[task[i]], 3);
        }
        for (int t = 0; t < 2; t++) {
          checkStatistics(s, training, "dense_0/batch_norm_" + t, rowsOf(z0, task, t), 6);
          checkStatistics(s, training, "dense_1/batch_norm_" + t, rowsOf(z1, task, t), 4);
          checkStatistics(s, training, "head_" + t + "/batch_norm", rowsOf(zh, task, t), 3);
        }
      }
    }
  }

  /** The rows of {@code z} whose task is {@code t}. */
  private static double[][] rowsOf(double[][] z, int[] task, int t) {
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < z.length; i++) {
      if (task[i] == t) {
        rows.add(z[i]);
      }
    }
    return rows.toArray(new double[0][]);
  }

  /** {@link #batchNormalize} of each task's rows separately. */
  private static double[][] batchNormalizeByTask(double[][] z, int[] task) {
    double[][] out = new double[z.length][];
    for (int t = 0; t < 2; t++) {
      double[][] normalized = batchNormalize(rowsOf(z, task, t));
      int r = 0;
      for (int i = 0; i < z.length; i++) {
        if (task[i] == t) {
          out[i] = normalized[r++];
        }
      }
    }
    return out;
  }

  /**
   * The straight-through estimators: ∂L/∂W_h equals ∂L/∂W_b exactly, and the binary activation
   * passes the gradient where |x| ≤ 1 only while its value is exactly sign(x).
   */
  @Test
  void straightThroughGradients() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableRegistry variables = new VariableRegistry(tf);
      BinarizedMlp model = new BinarizedMlp(MULTI, variables);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 5)));
      Placeholder<TInt32> task = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> logits = model.forward(variables, x, task).training();
      Random random = new Random(5);
      Operand<TFloat32> coefficients =
          tf.constant(
              Shape.of(1, 3), DataBuffers.of(toFloat(gaussian(random, 3, 1.0)), true, false));
      Operand<TFloat32> loss =
          tf.reduceSum(tf.math.mul(logits, coefficients), tf.constant(new int[] {0, 1}));
      List<Operand<TFloat32>> xs = new ArrayList<>();
      List<Operand<TFloat32>> kernels = new ArrayList<>();
      model.parameters().stream()
          .filter(p -> p.name().endsWith("/kernel"))
          .forEach(p -> kernels.add(p.variable()));
      xs.addAll(kernels);
      xs.addAll(model.binaryKernels());
      Gradients grads = tf.gradients(loss, xs);

      double[] probe = {-2.5, -1.0, -0.5, 0.0, 0.25, 1.0, 1.5};
      Operand<TFloat32> input = tf.constant(toFloat(probe));
      Operand<TFloat32> activation = BinarizedMlp.binaryActivation(tf, input);
      Operand<TFloat32> activationGradient =
          tf.gradients(tf.reduceSum(activation, tf.constant(0)), List.of(input)).dy(0);

      try (Session s = new Session(g)) {
        int batch = 6;
        int[] tasks = {0, 1, 0, 1, 1, 0};
        try (TFloat32 xt =
                TFloat32.tensorOf(
                    Shape.of(batch, 5),
                    DataBuffers.of(toFloat(gaussian(random, batch * 5, 1.0)), true, false));
            TInt32 tt = TInt32.tensorOf(Shape.of(batch), DataBuffers.of(tasks, true, false))) {
          var runner = s.runner().feed(x, xt).feed(task, tt);
          for (int i = 0; i < xs.size(); i++) {
            runner.fetch(grads.dy(i));
          }
          try (var result = runner.run()) {
            int n = kernels.size();
            boolean nonZero = false;
            for (int i = 0; i < n; i++) {
              float[] hidden = floats((TFloat32) result.get(i));
              float[] binary = floats((TFloat32) result.get(n + i));
              for (int k = 0; k < hidden.length; k++) {
                assertEquals(binary[k], hidden[k], 0.0, "layer " + i + " element " + k);
                nonZero |= hidden[k] != 0;
              }
            }
            assertTrue(nonZero, "gradients should not all vanish");
          }
        }
        float[] value = floats(s, activation);
        float[] gradient = floats(s, activationGradient);
        for (int k = 0; k < probe.length; k++) {
          assertEquals(probe[k] >= 0 ? 1f : -1f, value[k], 0f, "sign of " + probe[k]);
          assertEquals(Math.abs(probe[k]) <= 1 ? 1f : 0f, gradient[k], 0f, "STE at " + probe[k]);
        }
      }
    }
  }

  /**
   * On a linearly separable problem, a binarized network trained with Adam and the paper's
   * metaplasticity learns (inference-mode accuracy well above chance); its hidden weights stay
   * real-valued while the weights of its forward pass are exactly ±1.
   */
  @Test
  void learnsASeparableProblemWithMetaplasticity() {
    MlpSpec spec = new MlpSpec(10, List.of(32), 1, 2, 1, true);
    try (Graph other = new Graph()) {
      Model model = Model.create(spec, new VariableRegistry(Ops.create(other)));
      assertTrue(model instanceof BinarizedMlp, "a binarized spec makes a BinarizedMlp");
      assertEquals(spec, model.spec());
    }
    try (Graph g = new Graph()) {
      TrainingGraph training =
          new TrainingGraph(
              g,
              spec,
              OptimizerConfig.Adam.withLearningRate(0.005),
              List.of(Metaplasticity.Config.PAPER_PERMUTED));
      try (Session s = new Session(g)) {
        Random random = new Random(99);
        double[] direction = gaussian(random, 10, 1.0);
        int batch = 32;
        for (int step = 0; step < 200; step++) {
          double[] x = gaussian(random, batch * 10, 1.0);
          run(s, training, training.loss(), x, labels(x, direction), null);
        }
        double[] x = gaussian(random, 1000 * 10, 1.0);
        float accuracy = run(s, training, training.accuracy(), x, labels(x, direction), null)[0];
        assertTrue(accuracy > 0.8, "inference-mode accuracy " + accuracy);

        double[] hidden = read(s, training, "dense_0/kernel");
        assertTrue(
            java.util.Arrays.stream(hidden).anyMatch(v -> Math.abs(v) != 1.0),
            "hidden weights are real-valued");
        float[] binary = floats(s, g.operation("dense_0/binary_kernel").<TFloat32>output(0));
        for (int k = 0; k < binary.length; k++) {
          assertEquals(hidden[k] >= 0 ? 1f : -1f, binary[k], 0f, "binary weight " + k);
        }
        double[] movingMean = read(s, training, "dense_0/batch_norm/moving_mean");
        assertTrue(java.util.Arrays.stream(movingMean).anyMatch(v -> v != 0), "statistics moved");
      }
    }
  }

  private static int[] labels(double[] x, double[] direction) {
    int n = x.length / direction.length;
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double dot = 0;
      for (int k = 0; k < direction.length; k++) {
        dot += x[i * direction.length + k] * direction[k];
      }
      y[i] = dot > 0 ? 1 : 0;
    }
    return y;
  }

  /**
   * Checks that normalization {@code norm} moved from its initial statistics (mean 0, variance 1)
   * by 0.1 toward the mean and unbiased variance of {@code z}, or kept them if {@code z} is empty.
   */
  private static void checkStatistics(
      Session s, TrainingGraph training, String norm, double[][] z, int width) {
    int n = z.length;
    double[] mean = new double[width];
    double[] variance = new double[width];
    for (int j = 0; j < width; j++) {
      variance[j] = 1;
      if (n == 0) {
        continue;
      }
      double batchMean = 0;
      for (double[] row : z) {
        batchMean += row[j] / n;
      }
      double unbiased = 0;
      for (double[] row : z) {
        unbiased += (row[j] - batchMean) * (row[j] - batchMean) / (n - 1);
      }
      mean[j] = 0.1 * batchMean;
      variance[j] = 0.9 + 0.1 * unbiased;
    }
    assertClose(mean, read(s, training, norm + "/moving_mean"), norm + " mean");
    assertClose(variance, read(s, training, norm + "/moving_variance"), norm + " variance");
  }

  /** Training-mode BN with γ = 1, β = 0 (the initial values): (z − μ) / √(σ² + ε). */
  private static double[][] batchNormalize(double[][] z) {
    int n = z.length;
    int width = n == 0 ? 0 : z[0].length;
    double[][] out = new double[n][width];
    for (int j = 0; j < width; j++) {
      double mean = 0;
      for (double[] row : z) {
        mean += row[j] / n;
      }
      double variance = 0;
      for (double[] row : z) {
        variance += (row[j] - mean) * (row[j] - mean) / n;
      }
      for (int i = 0; i < n; i++) {
        out[i][j] = (z[i][j] - mean) / Math.sqrt(variance + 1e-5);
      }
    }
    return out;
  }

  /** x · sign(W) for W [in, out] row-major, with sign(0) = +1. */
  private static double[] dense(double[] x, double[] w, int out) {
    double[] z = new double[out];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < out; j++) {
        z[j] += x[i] * (w[i * out + j] >= 0 ? 1 : -1);
      }
    }
    return z;
  }

  /** γ (z − mean) / √(var + ε) + β with {γ, β, mean, var} = bn. */
  private static double[] normalize(double[] z, double[][] bn) {
    double[] y = new double[z.length];
    for (int j = 0; j < z.length; j++) {
      y[j] = bn[0][j] * (z[j] - bn[2][j]) / Math.sqrt(bn[3][j] + 1e-5) + bn[1][j];
    }
    return y;
  }

  private static double[] signs(double[] v) {
    double[] out = new double[v.length];
    for (int j = 0; j < v.length; j++) {
      out[j] = v[j] >= 0 ? 1 : -1;
    }
    return out;
  }

  private static double[][] signs(double[][] v) {
    double[][] out = new double[v.length][];
    for (int i = 0; i < v.length; i++) {
      out[i] = signs(v[i]);
    }
    return out;
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
    }
  }

  private static double[] gaussian(Random random, int n, double scale) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (random.nextGaussian() * scale);
    }
    return a;
  }

  private static float[] toFloat(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }

  private static void load(Session s, TrainingGraph training, String name, double[] values) {
    TrainingGraph.Loader loader = training.loaders().get(name);
    try (TFloat32 t =
        TFloat32.tensorOf(
            training.variables().get(name).shape(), DataBuffers.of(toFloat(values), true, false))) {
      s.runner().feed(loader.value(), t).addTarget(loader.assign()).run().close();
    }
  }

  private static double[] read(Session s, TrainingGraph training, String name) {
    @SuppressWarnings("unchecked")
    Operand<TFloat32> v = (Operand<TFloat32>) training.variables().get(name);
    float[] f = floats(s, v);
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static float[] floats(Session s, Operand<TFloat32> operand) {
    try (var result = s.runner().fetch(operand).run()) {
      return floats((TFloat32) result.get(0));
    }
  }

  private static float[] floats(TFloat32 t) {
    float[] values = new float[(int) t.shape().size()];
    t.asRawTensor().data().asFloats().read(values);
    return values;
  }

  /** Runs {@code fetch} with x (and y, task when given), returning its values. */
  private static float[] run(
      Session s, TrainingGraph training, Operand<TFloat32> fetch, double[] x, int[] y, int[] task) {
    int batch = x.length / training.spec().inputSize();
    List<AutoCloseable> fed = new ArrayList<>();
    try {
      TFloat32 xt =
          TFloat32.tensorOf(
              Shape.of(batch, training.spec().inputSize()),
              DataBuffers.of(toFloat(x), true, false));
      fed.add(xt);
      var runner = s.runner().feed(training.x(), xt);
      if (y != null) {
        TInt32 yt = TInt32.tensorOf(Shape.of(batch), DataBuffers.of(y, true, false));
        fed.add(yt);
        runner.feed(training.y(), yt);
      }
      if (training.task() != null) {
        int[] tasks = task != null ? task : new int[batch];
        TInt32 tt = TInt32.tensorOf(Shape.of(batch), DataBuffers.of(tasks, true, false));
        fed.add(tt);
        runner.feed(training.task(), tt);
      }
      try (var result = runner.fetch(fetch).run()) {
        return floats((TFloat32) result.get(0));
      }
    } finally {
      for (AutoCloseable c : fed) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
