package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
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
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * Checks every state variable of {@link SynapticIntelligence} after several steps and two task
 * boundaries against an independent double-precision computation of the paper's equations.
 */
class SynapticIntelligenceTest {
  private static final double C = 0.7;
  private static final double XI = 1e-3;
  private static final long[][] SHAPES = {{3, 4}, {4}};

  private static StepHarness harness;
  private static List<Op> consolidate;
  private static List<Op> rebase;
  private static List<Operand<TFloat32>> symbolicPenaltyGradients;
  private static SynapticIntelligence rule;
  private static Penalty.Term penalty;

  @BeforeAll
  static void buildGraph() {
    harness = new StepHarness(new SynapticIntelligence.Config(C, XI), SHAPES, 42);
    rule = (SynapticIntelligence) harness.rule;
    consolidate = harness.consolidate;
    rebase = harness.rebase;
    penalty = harness.penalty;
    symbolicPenaltyGradients = harness.symbolicPenaltyGradients;
  }

  @AfterAll
  static void close() {
    harness.close();
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
        List<double[]> gradients = new ArrayList<>();
        List<double[]> updates = new ArrayList<>();
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
          gradients.add(g);
          updates.add(u);
        }
        harness.step(gradients, updates);
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
      randomStep(random, 0.3);
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
    randomStep(random, 0.5);
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

  /** One step with gradients of scale 1 and updates of scale {@code updateScale}. */
  private static void randomStep(Random random, double updateScale) {
    List<double[]> gradients = new ArrayList<>();
    List<double[]> updates = new ArrayList<>();
    for (long[] shape : SHAPES) {
      int size = (int) Shape.of(shape).size();
      gradients.add(randomArray(random, size, 1.0));
      updates.add(randomArray(random, size, updateScale));
    }
    harness.step(gradients, updates);
  }

  private static void runAll(List<Op> ops) {
    harness.runAll(ops);
  }

  private static double[] read(Operand<TFloat32> operand) {
    return harness.read(operand);
  }
}
