package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Checks every state variable of {@link RiemannianWalk}, its penalty and the penalty's gradient
 * over several steps and three task boundaries against an independent double-precision computation
 * of the paper's equations (6), (7) and (8), with the normalization and score averaging of its
 * RWalk objective.
 */
class RiemannianWalkTest {
  private static final double LAMBDA = 0.7;
  private static final double ALPHA = 0.6;
  private static final double EPSILON = 1e-3;
  private static final long[][] SHAPES = {{3, 4}, {4}};
  private static final int STATES = 5;

  private StepHarness harness;

  /** The plain-Java state, in double, of every governed parameter. */
  private final double[][] theta = new double[SHAPES.length][];

  private final double[][] fisher = new double[SHAPES.length][];
  private final double[][] score = new double[SHAPES.length][];
  private final double[][] pastScore = new double[SHAPES.length][];
  private final double[][] importance = new double[SHAPES.length][];
  private final double[][] anchor = new double[SHAPES.length][];
  private double tasks;

  @BeforeEach
  void attach() {
    harness = new StepHarness(new RiemannianWalk.Config(LAMBDA, ALPHA, EPSILON), SHAPES, 42);
    for (int i = 0; i < SHAPES.length; i++) {
      theta[i] = harness.read(harness.rule.parameters().get(i).variable());
      fisher[i] = new double[theta[i].length];
      score[i] = new double[theta[i].length];
      pastScore[i] = new double[theta[i].length];
      importance[i] = new double[theta[i].length];
      anchor[i] = theta[i].clone();
    }
  }

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void stateMatchesPlainJavaEquationsOverStepsAndBoundaries() {
    Random random = new Random(7);
    for (int task = 0; task < 3; task++) {
      for (int step = 0; step < 4; step++) {
        step(random, 0.05);
      }
      for (int i = 0; i < SHAPES.length; i++) {
        assertClose(fisher[i], read(state(i, 0)), "fisher");
        assertClose(score[i], read(state(i, 1)), "score");
      }
      assertClose(new double[] {plainPenalty()}, read(harness.penalty.value()), "penalty");
      boundary();
      for (int i = 0; i < SHAPES.length; i++) {
        assertClose(fisher[i], read(state(i, 0)), "fisher after boundary");
        assertClose(score[i], read(state(i, 1)), "score after boundary");
        assertClose(pastScore[i], read(state(i, 2)), "past_score");
        assertClose(importance[i], read(state(i, 3)), "importance");
        assertClose(anchor[i], read(state(i, 4)), "anchor");
      }
      Operand<TFloat32> count = harness.rule.state().get(STATES * SHAPES.length).variable();
      assertClose(new double[] {tasks}, read(count), "tasks");
    }
    assertTrue(Arrays.stream(importance[0]).anyMatch(w -> w > 1), "both importances count");
  }

  /**
   * The closed-form gradient of eq. (8), 2λ w (θ − θ*), equals the plain-Java value and
   * TensorFlow's symbolic gradient of the penalty.
   */
  @Test
  void penaltyGradientIsTwiceLambdaTimesImportanceTimesDisplacement() {
    Random random = new Random(13);
    step(random, 0.3);
    boundary();
    step(random, 0.3);
    for (int i = 0; i < SHAPES.length; i++) {
      double[] expected = new double[theta[i].length];
      for (int k = 0; k < expected.length; k++) {
        expected[k] = 2 * LAMBDA * importance[i][k] * (theta[i][k] - anchor[i][k]);
      }
      assertTrue(Arrays.stream(expected).anyMatch(v -> v != 0), "importance should be non-zero");
      assertClose(expected, read(harness.penalty.gradients().get(i)), "closed-form gradient");
      assertClose(expected, read(harness.symbolicPenaltyGradients.get(i)), "symbolic gradient");
    }
  }

  /**
   * A boundary before any step (a model imported from elsewhere) gives no importance, not the 0 / 0
   * of the normalization.
   */
  @Test
  void boundaryWithoutStepsGivesZeroImportance() {
    boundary();
    for (int i = 0; i < SHAPES.length; i++) {
      assertClose(new double[theta[i].length], read(state(i, 3)), "importance");
    }
    assertClose(new double[] {0}, read(harness.penalty.value()), "penalty");
  }

  @Test
  void stateVariablesCarryContractNames() {
    List<String> names = harness.rule.state().stream().map(StateVariable::name).toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < SHAPES.length; i++) {
      for (String state : List.of("fisher", "score", "past_score", "importance", "anchor")) {
        expected.add("rwalk/layer_" + i + "/w/" + state);
      }
    }
    expected.add("rwalk/score/tasks");
    assertEquals(expected, names);
  }

  @Test
  void rejectsInvalidHyperparameters() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new RiemannianWalk.Config(1, 0, EPSILON));
    assertEquals("RWalk rate alpha must be in (0, 1], got 0.0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new RiemannianWalk.Config(-1, 0.9, 1e-7));
    assertThrows(IllegalArgumentException.class, () -> new RiemannianWalk.Config(1, 0.9, 0));
    assertEquals(
        new RiemannianWalk.Config(LAMBDA, ALPHA, EPSILON),
        Rules.fromHyperparameters(
            "rwalk", Map.of("lambda", LAMBDA, "alpha", ALPHA, "epsilon", EPSILON)));
  }

  /**
   * One optimizer step with random gradients g and updates Δθ of scale {@code updateScale}, in the
   * graph and in plain Java: eq. (6), F ← α g² + (1 − α) F, then the score of eq. (7), s ← s − g Δθ
   * / (½ F Δθ² + ε) with the new F. Inputs are rounded to float as the graph receives them, and
   * what the graph stores is rounded to float, so that the comparison measures the equations and
   * not the storage type.
   */
  private void step(Random random, double updateScale) {
    List<double[]> gradients = new ArrayList<>();
    List<double[]> updates = new ArrayList<>();
    for (int i = 0; i < SHAPES.length; i++) {
      double[] g = rounded(randomArray(random, theta[i].length, 1.0));
      double[] u = rounded(randomArray(random, theta[i].length, updateScale));
      for (int k = 0; k < g.length; k++) {
        theta[i][k] = (float) (theta[i][k] + u[k]);
        double f = ALPHA * g[k] * g[k] + (1 - ALPHA) * fisher[i][k];
        double kl = 0.5 * f * u[k] * u[k];
        score[i][k] = (float) (score[i][k] - g[k] * u[k] / (kl + EPSILON));
        fisher[i][k] = (float) f;
      }
      gradients.add(g);
      updates.add(u);
    }
    harness.step(gradients, updates);
  }

  /**
   * A task boundary in the graph and in plain Java: the past score averages the task's (s̄ ← s
   * after the first task, ½ (s̄ + s) after later ones), both importances are scaled to [0, 1] by
   * their maximum over every parameter (scores rectified first; 0 / 0 = 0), w is their sum, θ*
   * moves to θ and the task's score restarts.
   */
  private void boundary() {
    harness.runAll(harness.consolidate);
    double maxFisher = 0;
    double maxScore = 0;
    for (int i = 0; i < SHAPES.length; i++) {
      for (int k = 0; k < theta[i].length; k++) {
        pastScore[i][k] = (float) (tasks == 0 ? score[i][k] : (pastScore[i][k] + score[i][k]) / 2);
        maxFisher = Math.max(maxFisher, fisher[i][k]);
        maxScore = Math.max(maxScore, pastScore[i][k]);
      }
    }
    for (int i = 0; i < SHAPES.length; i++) {
      for (int k = 0; k < theta[i].length; k++) {
        double f = maxFisher == 0 ? 0 : fisher[i][k] / maxFisher;
        double s = maxScore == 0 ? 0 : Math.max(0, pastScore[i][k]) / maxScore;
        importance[i][k] = (float) (f + s);
        anchor[i][k] = theta[i][k];
        score[i][k] = 0;
      }
    }
    tasks++;
  }

  /** Eq. (8): λ Σ w (θ − θ*)². */
  private double plainPenalty() {
    double sum = 0;
    for (int i = 0; i < SHAPES.length; i++) {
      for (int k = 0; k < theta[i].length; k++) {
        double d = theta[i][k] - anchor[i][k];
        sum += importance[i][k] * d * d;
      }
    }
    return LAMBDA * sum;
  }

  private Operand<TFloat32> state(int parameter, int index) {
    return harness.rule.state().get(STATES * parameter + index).variable();
  }

  private static double[] rounded(double[] values) {
    double[] out = new double[values.length];
    for (int k = 0; k < values.length; k++) {
      out[k] = (float) values[k];
    }
    return out;
  }

  private double[] read(Operand<TFloat32> operand) {
    return harness.read(operand);
  }
}
