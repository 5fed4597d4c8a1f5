package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.tensor;
import static dev.metaplastic.ops.TestTensors.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Checks every state variable of {@link SynapticIntelligence} after several steps and two task
 * boundaries against an independent double-precision computation of the paper's equations.
 */
class SynapticIntelligenceTest {
  private static final double C = 0.7;
  private static final double XI = 1e-3;
  private static final long[][] SHAPES = {{3, 4}, {4}};

  private static Graph graph;
  private static Session session;
  private static final List<Placeholder<TFloat32>> gradientFeeds = new ArrayList<>();
  private static final List<Placeholder<TFloat32>> updateFeeds = new ArrayList<>();
  private static final List<Op> applyUpdates = new ArrayList<>();
  private static List<Op> afterStep;
  private static List<Op> consolidate;
  private static List<Op> rebase;
  private static List<Operand<TFloat32>> symbolicPenaltyGradients = new ArrayList<>();
  private static SynapticIntelligence rule;
  private static Penalty.Term penalty;

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    VariableRegistry registry = new VariableRegistry(tf);
    Random random = new Random(42);
    List<Parameter> parameters = new ArrayList<>();
    for (int i = 0; i < SHAPES.length; i++) {
      Shape shape = Shape.of(SHAPES[i]);
      double[] values = randomArray(random, (int) shape.size(), 1.0);
      Operand<TFloat32> init = tf.constant(shape, DataBuffers.of(toFloat(values), true, false));
      Variable<TFloat32> theta = registry.create("layer_" + i + "/w", init);
      parameters.add(new Parameter("layer_" + i + "/w", theta, init, shape));
      Placeholder<TFloat32> g = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> u = tf.placeholder(TFloat32.class);
      gradientFeeds.add(g);
      updateFeeds.add(u);
      applyUpdates.add(tf.assignAdd(theta, u));
    }
    rule =
        (SynapticIntelligence) new SynapticIntelligence.Config(C, XI).attach(registry, parameters);
    // SI reads no loss: any scalar will do.
    afterStep =
        rule.afterStep(
            new AfterStep.Context(
                tf, new ArrayList<>(gradientFeeds), new ArrayList<>(updateFeeds), tf.constant(0f)));
    Ops scope = registry.scope(SynapticIntelligence.NAME);
    consolidate = rule.consolidate(new Consolidation.Context(scope));
    rebase = rule.rebase(new Rebase.Context(scope));
    penalty = rule.penalty(new Penalty.Context(scope));
    var symbolic =
        tf.gradients(penalty.value(), parameters.stream().map(Parameter::variable).toList());
    for (int i = 0; i < parameters.size(); i++) {
      symbolicPenaltyGradients.add(symbolic.<TFloat32>dy(i));
    }
    session = new Session(graph);
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  @Test
  void stateMatchesPlainJavaEquationsOverStepsAndBoundaries() {
    Random random = new Random(7);
    int n = SHAPES.length;
    double[][] theta = new double[n][];
    double[][] omega = new double[n][];
    double[][] importance = new double[n][];
    double[][] anchor = new double[n][];
    double[][] start = new double[n][];
    for (int i = 0; i < n; i++) {
      // Start from whatever state the graph holds (other tests share it).
      List<StateVariable> state = rule.state().subList(4 * i, 4 * i + 4);
      theta[i] = read(rule.parameters().get(i).variable());
      omega[i] = read(state.get(0).variable());
      importance[i] = read(state.get(1).variable());
      anchor[i] = read(state.get(2).variable());
      start[i] = read(state.get(3).variable());
    }
    for (int task = 0; task < 2; task++) {
      for (int step = 0; step < 4; step++) {
        List<TFloat32> fed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          double[] g = randomArray(random, theta[i].length, 1.0);
          double[] u = randomArray(random, theta[i].length, 0.05);
          // Eq. (3): omega accumulates -g * delta-theta with the applied update. The equations
          // are evaluated in double; what the graph stores (float32 variables) is rounded to
          // float, so that the comparison measures the equations and not the storage type.
          for (int k = 0; k < g.length; k++) {
            theta[i][k] = (float) (theta[i][k] + u[k]);
            omega[i][k] = (float) (omega[i][k] - g[k] * u[k]);
          }
          TFloat32 gt = tensor(g, SHAPES[i]);
          TFloat32 ut = tensor(u, SHAPES[i]);
          fed.add(gt);
          fed.add(ut);
        }
        applyThenAccumulate(fed);
      }
      for (int i = 0; i < n; i++) {
        assertClose(omega[i], read(rule.state().get(4 * i).variable()), "path_integral");
      }
      double expectedPenalty = 0;
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < theta[i].length; k++) {
          double d = theta[i][k] - anchor[i][k];
          expectedPenalty += C * importance[i][k] * d * d;
        }
      }
      assertClose(new double[] {expectedPenalty}, read(penalty.value()), "penalty");

      runAll(consolidate);
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < theta[i].length; k++) {
          double d = theta[i][k] - start[i][k];
          // Eq. (5), rectified as in the reference code.
          importance[i][k] = Math.max(0, importance[i][k] + omega[i][k] / (d * d + XI));
          omega[i][k] = 0;
          anchor[i][k] = theta[i][k];
          start[i][k] = theta[i][k];
        }
        List<StateVariable> state = rule.state().subList(4 * i, 4 * i + 4);
        assertClose(omega[i], read(state.get(0).variable()), "path_integral after boundary");
        assertClose(importance[i], read(state.get(1).variable()), "importance");
        assertClose(anchor[i], read(state.get(2).variable()), "anchor");
        assertClose(start[i], read(state.get(3).variable()), "task_start");
      }
    }
  }

  /**
   * The closed-form gradient of the surrogate loss, 2cΩ(θ − θ*), equals the plain-Java value and
   * TensorFlow's symbolic gradient of the penalty.
   */
  @Test
  void penaltyGradientIsTwoCTimesImportanceTimesDisplacement() {
    Random random = new Random(13);
    for (int round = 0; round < 2; round++) {
      List<TFloat32> fed = new ArrayList<>();
      for (int i = 0; i < SHAPES.length; i++) {
        int size = (int) Shape.of(SHAPES[i]).size();
        fed.add(tensor(randomArray(random, size, 1.0), SHAPES[i]));
        fed.add(tensor(randomArray(random, size, 0.3), SHAPES[i]));
      }
      applyThenAccumulate(fed);
      if (round == 0) {
        runAll(consolidate);
      }
    }
    List<Operand<TFloat32>> closedForm = penalty.gradients();
    for (int i = 0; i < SHAPES.length; i++) {
      double[] theta = read(rule.parameters().get(i).variable());
      double[] importance = read(rule.state().get(4 * i + 1).variable());
      double[] anchor = read(rule.state().get(4 * i + 2).variable());
      double[] expected = new double[theta.length];
      for (int k = 0; k < theta.length; k++) {
        expected[k] = 2 * C * importance[k] * (theta[k] - anchor[k]);
      }
      assertTrue(Arrays.stream(expected).anyMatch(v -> v != 0), "importance should be non-zero");
      assertClose(expected, read(closedForm.get(i)), "closed-form gradient");
      assertClose(expected, read(symbolicPenaltyGradients.get(i)), "symbolic gradient");
    }
  }

  /** After weights are overwritten from outside, rebase restarts ω, θ* and θ_start; Ω stays. */
  @Test
  void rebaseRestartsTheTaskFromTheCurrentWeights() {
    Random random = new Random(9);
    double[] importanceBefore = read(rule.state().get(1).variable());
    List<TFloat32> fed = new ArrayList<>();
    for (int i = 0; i < SHAPES.length; i++) {
      int size = (int) Shape.of(SHAPES[i]).size();
      fed.add(tensor(randomArray(random, size, 1.0), SHAPES[i]));
      fed.add(tensor(randomArray(random, size, 0.5), SHAPES[i]));
    }
    applyThenAccumulate(fed);
    runAll(rebase);
    for (int i = 0; i < SHAPES.length; i++) {
      double[] theta = read(rule.parameters().get(i).variable());
      List<StateVariable> state = rule.state().subList(4 * i, 4 * i + 4);
      assertClose(new double[theta.length], read(state.get(0).variable()), "path_integral");
      assertClose(theta, read(state.get(2).variable()), "anchor");
      assertClose(theta, read(state.get(3).variable()), "task_start");
    }
    assertClose(importanceBefore, read(rule.state().get(1).variable()), "importance");
    assertClose(new double[] {0}, read(penalty.value()), "penalty");
  }

  @Test
  void stateVariablesCarryContractNames() {
    List<String> names = rule.state().stream().map(StateVariable::name).toList();
    assertEquals(
        List.of(
            "si/layer_0/w/path_integral",
            "si/layer_0/w/importance",
            "si/layer_0/w/anchor",
            "si/layer_0/w/task_start",
            "si/layer_1/w/path_integral",
            "si/layer_1/w/importance",
            "si/layer_1/w/anchor",
            "si/layer_1/w/task_start"),
        names);
  }

  @Test
  void rejectsInvalidHyperparameters() {
    var e =
        assertThrows(IllegalArgumentException.class, () -> new SynapticIntelligence.Config(1, 0));
    assertEquals("SI damping xi must be finite and > 0, got 0.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SynapticIntelligence.Config(-1, 1e-3));
  }

  private void applyThenAccumulate(List<TFloat32> fed) {
    try {
      var apply = session.runner();
      var accumulate = session.runner();
      for (int i = 0; i < SHAPES.length; i++) {
        apply.feed(updateFeeds.get(i), fed.get(2 * i + 1));
        accumulate
            .feed(gradientFeeds.get(i), fed.get(2 * i))
            .feed(updateFeeds.get(i), fed.get(2 * i + 1));
      }
      applyUpdates.forEach(apply::addTarget);
      afterStep.forEach(accumulate::addTarget);
      apply.run().close();
      accumulate.run().close();
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  private static void runAll(List<Op> ops) {
    TestTensors.runAll(session, ops);
  }

  private static double[] read(Operand<TFloat32> operand) {
    return TestTensors.read(session, operand);
  }
}
