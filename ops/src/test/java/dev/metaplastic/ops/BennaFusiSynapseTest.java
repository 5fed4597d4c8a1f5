package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.tensor;
import static dev.metaplastic.ops.TestTensors.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Checks the visible weight and the whole hidden chain of {@link BennaFusiSynapse} after every step
 * against an independent double-precision simulation of the Benna–Fusi equations, with the step
 * wired as the training graph wires it: snapshot θ, transform the optimizer's step, apply it, then
 * {@code afterStep} with the applied update.
 */
class BennaFusiSynapseTest {
  private static final int N = 4;
  private static final double G12 = 0.3;
  private static final long[][] SHAPES = {{3, 4}, {4}};

  private static Graph graph;
  private static Session session;
  private static final List<Placeholder<TFloat32>> stepFeeds = new ArrayList<>();
  private static final List<Op> stepOps = new ArrayList<>();
  private static List<Op> rebase;
  private static BennaFusiSynapse rule;
  private static VariableRegistry registry;

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    registry = new VariableRegistry(tf);
    Random random = new Random(42);
    List<Parameter> parameters = new ArrayList<>();
    for (int i = 0; i < SHAPES.length; i++) {
      Shape shape = Shape.of(SHAPES[i]);
      double[] values = randomArray(random, (int) shape.size(), 1.0);
      Operand<TFloat32> init = tf.constant(shape, DataBuffers.of(toFloat(values), true, false));
      Variable<TFloat32> theta = registry.create("layer_" + i + "/w", init);
      parameters.add(new Parameter("layer_" + i + "/w", theta, init, shape));
      stepFeeds.add(tf.placeholder(TFloat32.class, Placeholder.shape(shape)));
    }
    rule =
        (BennaFusiSynapse)
            new BennaFusiSynapse.Config(N, G12)
                .attach(new RuleConfig.Attachment(registry, parameters));
    stepOps.addAll(wireStep(tf, rule, parameters, stepFeeds));
    rebase = rule.rebase(new Rebase.Context(registry.scope(BennaFusiSynapse.NAME)));
    session = new Session(graph);
  }

  /** The training graph's wiring: snapshot, transformed step θ ← θ − step′, then afterStep. */
  private static List<Op> wireStep(
      Ops tf,
      BennaFusiSynapse rule,
      List<Parameter> parameters,
      List<? extends Operand<TFloat32>> steps) {
    List<Operand<TFloat32>> before = new ArrayList<>();
    List<Operation> snapshots = new ArrayList<>();
    for (Parameter p : parameters) {
      Operand<TFloat32> copy = tf.deepCopy(p.variable());
      before.add(copy);
      snapshots.add(copy.op());
    }
    Ops update = tf.withControlDependencyOps(snapshots);
    // The rule reads no loss: any scalar will do.
    Operand<TFloat32> loss = tf.constant(0f);
    List<Operand<TFloat32>> transformed =
        rule.transformSteps(new StepTransform.Context(update, new ArrayList<>(steps), loss));
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      updates.add(update.assignSub(parameters.get(i).variable(), transformed.get(i)));
    }
    Ops after = tf.withControlDependencies(updates);
    List<Operand<TFloat32>> applied = new ArrayList<>();
    for (int i = 0; i < parameters.size(); i++) {
      applied.add(after.math.sub(parameters.get(i).variable(), before.get(i)));
    }
    List<Op> ops = new ArrayList<>(updates);
    ops.addAll(rule.afterStep(new AfterStep.Context(after, new ArrayList<>(steps), applied, loss)));
    return ops;
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  /** C_k = 2^(k−1) of beaker k (1-based). */
  private static double capacity(int k) {
    return Math.pow(2, k - 1);
  }

  /** g_{k,k+1} = g_12 · 2^(−(k−1)). */
  private static double tube(double g12, int k) {
    return g12 * Math.pow(2, -(k - 1));
  }

  /**
   * One Euler step of the chain, every value taken before the step. {@code u[k-1]} is beaker k;
   * {@code u[0]} is θ.
   */
  private static double[] simulateStep(double[] u, double step, double g12) {
    int n = u.length;
    double[] next = new double[n];
    next[0] = u[0] - step + tube(g12, 1) / capacity(1) * (u[1] - u[0]);
    for (int k = 2; k <= n; k++) {
      double below = k < n ? u[k] : 0.0;
      double flow = tube(g12, k - 1) * (u[k - 2] - u[k - 1]) + tube(g12, k) * (below - u[k - 1]);
      next[k - 1] = u[k - 1] + flow / capacity(k);
    }
    return next;
  }

  @Test
  void thetaAndChainMatchPlainJavaEquationsAfterEveryStep() {
    Random random = new Random(7);
    int count = SHAPES.length;
    // Per parameter, per element: the chain u_1..u_N in double, from the graph's current state.
    double[][][] u = new double[count][][];
    for (int i = 0; i < count; i++) {
      double[] theta = read(rule.parameters().get(i).variable());
      double[] chain = read(rule.state().get(i).variable());
      u[i] = new double[theta.length][N];
      for (int e = 0; e < theta.length; e++) {
        u[i][e][0] = theta[e];
        for (int k = 1; k < N; k++) {
          u[i][e][k] = chain[(k - 1) * theta.length + e];
        }
      }
    }
    for (int step = 0; step < 12; step++) {
      List<TFloat32> fed = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        double[] s = randomArray(random, u[i].length, 0.2);
        for (int e = 0; e < s.length; e++) {
          double[] next = simulateStep(u[i][e], s[e], G12);
          // What the graph stores is float32: round, so the test measures the equations.
          for (int k = 0; k < N; k++) {
            u[i][e][k] = (float) next[k];
          }
        }
        fed.add(tensor(s, SHAPES[i]));
      }
      runStep(fed);
      for (int i = 0; i < count; i++) {
        int size = u[i].length;
        double[] theta = new double[size];
        double[] chain = new double[(N - 1) * size];
        for (int e = 0; e < size; e++) {
          theta[e] = u[i][e][0];
          for (int k = 1; k < N; k++) {
            chain[(k - 1) * size + e] = u[i][e][k];
          }
        }
        assertClose(theta, read(rule.parameters().get(i).variable()), "theta step " + step);
        assertClose(chain, read(rule.state().get(i).variable()), "chain step " + step);
      }
    }
  }

  /**
   * After a pulse on u_1, the chain releases it back slowly: u_1 decays roughly as t^(−1/2) (a
   * power law, the point of the model), far above a single variable leaking with the same first
   * coupling, (1 − g_12)^t.
   */
  @Test
  void pulseOnVisibleWeightDecaysWithAHeavyTail() {
    BennaFusiSynapse.Config config = BennaFusiSynapse.Config.REFERENCE_IMPLEMENTATION;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      VariableRegistry variables = new VariableRegistry(tf);
      Shape shape = Shape.of(1);
      Operand<TFloat32> zero = tf.zeros(tf.constant(shape), TFloat32.class);
      Variable<TFloat32> theta = variables.create("w", zero);
      Parameter p = new Parameter("w", theta, zero, shape);
      BennaFusiSynapse chain =
          (BennaFusiSynapse) config.attach(new RuleConfig.Attachment(variables, List.of(p)));
      Placeholder<TFloat32> step = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      List<Op> ops = wireStep(tf, chain, List.of(p), List.of(step));
      try (Session s = new Session(g)) {
        Map<Integer, Double> visible = new HashMap<>();
        double[] simulated = new double[config.chainLength()];
        for (int t = 0; t <= 1000; t++) {
          double pulse = t == 0 ? -1.0 : 0.0;
          simulated = simulateStep(simulated, pulse, config.coupling());
          try (TFloat32 fed = tensor(new double[] {pulse}, new long[] {1})) {
            var runner = s.runner().feed(step, fed);
            ops.forEach(runner::addTarget);
            runner.run().close();
          }
          if (t == 100 || t == 1000) {
            double value = TestTensors.read(s, theta)[0];
            assertEquals(simulated[0], value, 1e-5, "u_1 at t=" + t);
            visible.put(t, value);
          }
        }
        double leak = 1 - config.coupling();
        assertTrue(visible.get(100) > 0.1, "u_1(100) = " + visible.get(100));
        assertTrue(visible.get(100) > 1000 * Math.pow(leak, 100), "far above the single leak");
        assertTrue(visible.get(1000) > 0.03, "u_1(1000) = " + visible.get(1000));
        // Power law t^(−1/2): a tenfold time divides u_1 by about √10 (0.32), not by e^(−90·g).
        double ratio = visible.get(1000) / visible.get(100);
        assertTrue(ratio > 0.2 && ratio < 0.5, "u_1(1000)/u_1(100) = " + ratio);
      }
    }
  }

  /** rebase sets every hidden variable to the current θ; θ is untouched. */
  @Test
  void rebaseSetsTheWholeChainToTheCurrentWeights() {
    Random random = new Random(9);
    List<TFloat32> fed = new ArrayList<>();
    for (long[] shape : SHAPES) {
      fed.add(tensor(randomArray(random, (int) Shape.of(shape).size(), 0.5), shape));
    }
    runStep(fed);
    List<double[]> thetas = new ArrayList<>();
    for (int i = 0; i < SHAPES.length; i++) {
      double[] theta = read(rule.parameters().get(i).variable());
      double[] chain = read(rule.state().get(i).variable());
      boolean differs = false;
      for (int k = 0; k < N - 1; k++) {
        for (int e = 0; e < theta.length; e++) {
          differs |= chain[k * theta.length + e] != theta[e];
        }
      }
      assertTrue(differs, "the chain should lag θ after a step");
      thetas.add(theta);
    }
    TestTensors.runAll(session, rebase);
    for (int i = 0; i < SHAPES.length; i++) {
      double[] theta = thetas.get(i);
      double[] expected = new double[(N - 1) * theta.length];
      for (int k = 0; k < N - 1; k++) {
        System.arraycopy(theta, 0, expected, k * theta.length, theta.length);
      }
      assertClose(theta, read(rule.parameters().get(i).variable()), "theta");
      assertClose(expected, read(rule.state().get(i).variable()), "chain");
    }
  }

  @Test
  void stateVariablesCarryContractNamesAndShapes() {
    assertEquals(
        List.of("benna_fusi/layer_0/w/chain", "benna_fusi/layer_1/w/chain"),
        rule.state().stream().map(StateVariable::name).toList());
    assertEquals(Shape.of(N - 1, 3, 4), rule.state().get(0).variable().shape());
    assertEquals(Shape.of(N - 1, 4), rule.state().get(1).variable().shape());
    assertEquals("chain", rule.state().get(0).state());
  }

  @Test
  void noPenaltyNoBoundaryWorkAndTransformsSteps() {
    ConsolidationRule any = rule;
    assertFalse(any instanceof Penalty);
    assertFalse(any instanceof Consolidation);
    assertTrue(any instanceof StepTransform);
    assertTrue(rule.needsAppliedUpdates());
  }

  @Test
  void rejectsInvalidHyperparameters() {
    var shortChain =
        assertThrows(IllegalArgumentException.class, () -> new BennaFusiSynapse.Config(1, 0.1));
    assertEquals(
        "Benna-Fusi chain_length N must be an integer in [2, 16] (the visible weight and at least"
            + " one hidden variable), got 1",
        shortChain.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BennaFusiSynapse.Config(17, 0.1));
    var strong =
        assertThrows(IllegalArgumentException.class, () -> new BennaFusiSynapse.Config(8, 1.5));
    assertEquals(
        "Benna-Fusi coupling g_12 must be in (0, 1] so that explicit Euler with one step per"
            + " optimizer step is stable, got 1.5",
        strong.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new BennaFusiSynapse.Config(8, 0));
    assertThrows(IllegalArgumentException.class, () -> new BennaFusiSynapse.Config(8, Double.NaN));
    var fractional =
        assertThrows(
            IllegalArgumentException.class,
            () -> BennaFusiSynapse.DESCRIPTOR.config(Map.of("chain_length", 2.5, "coupling", 0.1)));
    assertEquals(
        "rule benna_fusi: hyperparameter 'chain_length' must be a whole number, got 2.5",
        fractional.getMessage());
    var missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> Rules.fromHyperparameters("benna_fusi", Map.of("chain_length", 8.0)));
    assertEquals("rule benna_fusi lacks hyperparameter 'coupling'", missing.getMessage());
  }

  @Test
  void hyperparametersRoundTripThroughTheRegistry() {
    BennaFusiSynapse.Config config = new BennaFusiSynapse.Config(5, 0.25);
    assertEquals(Map.of("chain_length", 5.0, "coupling", 0.25), config.hyperparameters());
    assertEquals(config, Rules.fromHyperparameters(config.name(), config.hyperparameters()));
    assertEquals(
        BennaFusiSynapse.Config.REFERENCE_IMPLEMENTATION,
        Rules.fromHyperparameters("benna_fusi", Map.of("chain_length", 8.0, "coupling", 0.1)));
  }

  private void runStep(List<TFloat32> fed) {
    try {
      var runner = session.runner();
      for (int i = 0; i < SHAPES.length; i++) {
        runner.feed(stepFeeds.get(i), fed.get(i));
      }
      stepOps.forEach(runner::addTarget);
      runner.run().close();
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  private static double[] read(Operand<TFloat32> operand) {
    return TestTensors.read(session, operand);
  }
}
