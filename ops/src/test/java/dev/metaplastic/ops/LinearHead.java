package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.toFloat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A tiny model for the importance-estimating rules' tests: a linear head, logits = x·W + b, with
 * {@code head/kernel} W [INPUTS, CLASSES] and {@code head/bias} b [CLASSES], one rule attached, and
 * the importance estimate wired as {@code TrainingGraph} wires it: the estimator's objective on one
 * example's logits [1, CLASSES], its gradients with respect to W and b, accumulated with a fed
 * weight. Optimizer steps are simulated by adding random updates to W and b. The plain-Java half
 * ({@link #logits}, {@link #softmax}) recomputes the model in double.
 */
final class LinearHead implements AutoCloseable {
  static final int INPUTS = 3;
  static final int CLASSES = 4;
  static final long[][] SHAPES = {{INPUTS, CLASSES}, {CLASSES}};

  /** Examples per batch of the batched estimate. */
  static final int BATCH = 5;

  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  final List<Parameter> parameters = new ArrayList<>();
  final Placeholder<TFloat32> x;
  final Placeholder<TInt64> seed;
  final Placeholder<TFloat32> weight;
  final Operand<TFloat32> logits;
  final ConsolidationRule rule;
  final Operand<TInt64> sampledLabel;

  /** The rule's penalty; null for a rule without one. */
  final Penalty.Term penalty;

  private final List<Placeholder<TFloat32>> updateFeeds = new ArrayList<>();
  private final List<Op> applyUpdates = new ArrayList<>();
  private final List<Op> estimate = new ArrayList<>();
  private final Placeholder<TInt64> batchSeeds;
  private final Placeholder<TFloat32> batchWeights;
  private final List<Op> estimateBatch = new ArrayList<>();
  private final List<Op> consolidate;
  private final List<Op> rebase;

  /** The penalty's symbolic gradients; empty for a rule without a penalty. */
  final List<Operand<TFloat32>> symbolicPenaltyGradients = new ArrayList<>();

  final Session session;

  LinearHead(RuleConfig config, long initSeed) {
    VariableRegistry registry = new VariableRegistry(tf);
    Random random = new Random(initSeed);
    String[] names = {"head/kernel", "head/bias"};
    for (int i = 0; i < SHAPES.length; i++) {
      Shape shape = Shape.of(SHAPES[i]);
      double[] values = randomArray(random, (int) shape.size(), 0.5);
      Operand<TFloat32> init = tf.constant(shape, DataBuffers.of(toFloat(values), true, false));
      Variable<TFloat32> theta = registry.create(names[i], init);
      parameters.add(new Parameter(names[i], theta, init, shape));
      Placeholder<TFloat32> u = tf.placeholder(TFloat32.class);
      updateFeeds.add(u);
      applyUpdates.add(tf.assignAdd(theta, u));
    }
    x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, INPUTS)));
    seed = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    weight = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    logits =
        tf.math.add(
            tf.linalg.matMul(x, parameters.get(0).variable()), parameters.get(1).variable());
    rule =
        config.attach(
            new RuleConfig.Attachment(
                registry,
                parameters,
                List.of(new DenseLayer(parameters.get(0), parameters.get(1)))));
    List<Operand<TFloat32>> thetas = new ArrayList<>();
    parameters.forEach(p -> thetas.add(p.variable()));
    batchSeeds = tf.placeholder(TInt64.class, Placeholder.shape(Shape.of(BATCH, 2)));
    batchWeights = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(BATCH)));
    if (rule instanceof ConsolidationFromData fromData) {
      BatchEstimator estimator = fromData.estimator();
      Ops scope = tf.withSubScope("estimate");
      Operand<TFloat32> objective =
          estimator.objective(new ImportanceEstimator.Example(scope, logits, seed));
      Gradients dy = scope.withSubScope("gradients").gradients(objective, thetas);
      List<Operand<TFloat32>> signal = new ArrayList<>();
      for (int i = 0; i < thetas.size(); i++) {
        signal.add(dy.<TFloat32>dy(i));
      }
      estimate.addAll(
          estimator.accumulate(new ImportanceEstimator.ExampleGradients(scope, signal, weight)));
      Ops batchScope = tf.withSubScope("estimate_batch");
      Operand<TFloat32> delta =
          batchScope
              .withSubScope("gradients")
              .gradients(
                  estimator.batchObjective(
                      new BatchEstimator.Batch(batchScope, logits, batchSeeds)),
                  List.of(logits))
              .<TFloat32>dy(0);
      estimateBatch.addAll(
          estimator.accumulateBatch(
              new BatchEstimator.BatchGradients(
                  batchScope,
                  List.of(
                      PerExampleGradients.ofKernel(x, delta), PerExampleGradients.ofBias(delta)),
                  batchWeights)));
    }
    sampledLabel = ElasticWeightConsolidation.sampleLabels(tf, logits, seed);
    Ops ruleScope = registry.scope(config.name());
    consolidate =
        rule instanceof Consolidation c
            ? c.consolidate(new Consolidation.Context(ruleScope))
            : List.of();
    rebase = rule instanceof Rebase r ? r.rebase(new Rebase.Context(ruleScope)) : List.of();
    if (rule instanceof Penalty p) {
      penalty = p.penalty(new Penalty.Context(ruleScope));
      Gradients symbolic = tf.withSubScope("penalty_gradients").gradients(penalty.value(), thetas);
      for (int i = 0; i < thetas.size(); i++) {
        symbolicPenaltyGradients.add(symbolic.<TFloat32>dy(i));
      }
    } else {
      penalty = null;
    }
    session = new Session(graph);
  }

  /** One simulated optimizer step: a random update of scale {@code scale} added to W and b. */
  void step(Random random, double scale) {
    List<TFloat32> fed = new ArrayList<>();
    try {
      var runner = session.runner();
      for (int i = 0; i < SHAPES.length; i++) {
        TFloat32 u =
            TestTensors.tensor(
                randomArray(random, (int) Shape.of(SHAPES[i]).size(), scale), SHAPES[i]);
        fed.add(u);
        runner.feed(updateFeeds.get(i), u);
      }
      applyUpdates.forEach(runner::addTarget);
      runner.run().close();
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  /** Runs the estimate entry point on one example, as the trainer does. */
  void estimate(double[] example, long[] exampleSeed, float exampleWeight) {
    try (TFloat32 xt = TestTensors.tensor(example, new long[] {1, INPUTS});
        TInt64 st = TInt64.vectorOf(exampleSeed);
        TFloat32 wt = TFloat32.scalarOf(exampleWeight)) {
      var runner = session.runner().feed(x, xt).feed(seed, st).feed(weight, wt);
      estimate.forEach(runner::addTarget);
      runner.run().close();
    }
  }

  /**
   * Runs the batched estimate on {@link #BATCH} examples at once, example i with seed {@code
   * seeds[i]} and weight {@code weights[i]}.
   */
  void estimateBatch(double[][] examples, long[][] seeds, float[] weights) {
    double[] rows = new double[BATCH * INPUTS];
    long[] seedValues = new long[BATCH * 2];
    for (int i = 0; i < BATCH; i++) {
      System.arraycopy(examples[i], 0, rows, i * INPUTS, INPUTS);
      seedValues[2 * i] = seeds[i][0];
      seedValues[2 * i + 1] = seeds[i][1];
    }
    try (TFloat32 xt = TestTensors.tensor(rows, new long[] {BATCH, INPUTS});
        TInt64 st = TInt64.tensorOf(Shape.of(BATCH, 2), DataBuffers.of(seedValues, true, false));
        TFloat32 wt = TFloat32.tensorOf(Shape.of(BATCH), DataBuffers.of(weights, true, false))) {
      var runner = session.runner().feed(x, xt).feed(batchSeeds, st).feed(batchWeights, wt);
      estimateBatch.forEach(runner::addTarget);
      runner.run().close();
    }
  }

  /** The label the graph samples from softmax(x·W + b) with {@code exampleSeed}. */
  int sampledLabel(double[] example, long[] exampleSeed) {
    try (TFloat32 xt = TestTensors.tensor(example, new long[] {1, INPUTS});
        TInt64 st = TInt64.vectorOf(exampleSeed);
        var result = session.runner().feed(x, xt).feed(seed, st).fetch(sampledLabel).run()) {
      return (int) ((TInt64) result.get(0)).getLong(0);
    }
  }

  void consolidate() {
    TestTensors.runAll(session, consolidate);
  }

  void rebase() {
    TestTensors.runAll(session, rebase);
  }

  /** The rule's importance estimator. */
  ImportanceEstimator estimator() {
    return ((ConsolidationFromData) rule).estimator();
  }

  double[] read(Operand<TFloat32> operand) {
    return TestTensors.read(session, operand);
  }

  /** The current W (row-major) and b. */
  double[][] theta() {
    return new double[][] {read(parameters.get(0).variable()), read(parameters.get(1).variable())};
  }

  /** The rule's state variable {@code state} of parameter {@code index}. */
  double[] state(int index, String state) {
    String parameter = parameters.get(index).name();
    for (StateVariable v : rule.state()) {
      if (v.parameter().equals(parameter) && v.state().equals(state)) {
        return read(v.variable());
      }
    }
    throw new IllegalArgumentException("no state " + state + " of " + parameter);
  }

  /** Plain Java: z = x·W + b in double. */
  static double[] logits(double[][] theta, double[] example) {
    double[] z = new double[CLASSES];
    for (int j = 0; j < CLASSES; j++) {
      z[j] = theta[1][j];
      for (int i = 0; i < INPUTS; i++) {
        z[j] += example[i] * theta[0][i * CLASSES + j];
      }
    }
    return z;
  }

  /** Plain Java: softmax(z) in double. */
  static double[] softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[z.length];
    for (int j = 0; j < z.length; j++) {
      p[j] = Math.exp(z[j] - max);
      sum += p[j];
    }
    for (int j = 0; j < z.length; j++) {
      p[j] /= sum;
    }
    return p;
  }

  /**
   * Plain Java: the gradient of a scalar of the logits with respect to W and b, from its gradient
   * dz with respect to the logits: ∂/∂W_ij = x_i dz_j, ∂/∂b_j = dz_j.
   */
  static double[][] chain(double[] example, double[] dz) {
    double[] gw = new double[INPUTS * CLASSES];
    for (int i = 0; i < INPUTS; i++) {
      for (int j = 0; j < CLASSES; j++) {
        gw[i * CLASSES + j] = example[i] * dz[j];
      }
    }
    return new double[][] {gw, dz.clone()};
  }

  /** Plain Java: ∂ log softmax(z)_y / ∂θ = chain(x, onehot(y) − p). */
  static double[][] logLikelihoodGradient(double[][] theta, double[] example, int label) {
    double[] p = softmax(logits(theta, example));
    double[] dz = new double[CLASSES];
    for (int j = 0; j < CLASSES; j++) {
      dz[j] = (j == label ? 1 : 0) - p[j];
    }
    return chain(example, dz);
  }

  /** Plain Java: ∂ ‖z‖² / ∂θ = chain(x, 2z). */
  static double[][] squaredNormGradient(double[][] theta, double[] example) {
    double[] z = logits(theta, example);
    double[] dz = new double[CLASSES];
    for (int j = 0; j < CLASSES; j++) {
      dz[j] = 2 * z[j];
    }
    return chain(example, dz);
  }

  /** Zero arrays shaped like W and b. */
  static double[][] zeros() {
    return new double[][] {new double[INPUTS * CLASSES], new double[CLASSES]};
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
