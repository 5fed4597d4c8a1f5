package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link MemoryAwareSynapses} over steps and three task boundaries against a plain-Java
 * double computation of Ω_t = mean |∂‖f(x)‖²/∂θ|, Ω ← Ω + Ω_t, θ* ← θ and λ/2 Σ Ω (θ − θ*)².
 */
class MemoryAwareSynapsesTest {
  private static final double LAMBDA = 1.5;
  private static final int SAMPLES = 5;
  private static final float WEIGHT = 1f / SAMPLES;

  @Test
  void stateAndPenaltyMatchPlainJavaOverThreeBoundaries() {
    try (LinearHead head = new LinearHead(new MemoryAwareSynapses.Config(LAMBDA, SAMPLES), 31)) {
      Random random = new Random(13);
      double[][] importance = LinearHead.zeros();
      double[][] anchor = head.theta();
      for (int task = 0; task < 3; task++) {
        for (int step = 0; step < 3; step++) {
          head.step(random, 0.3);
        }
        checkPenalty(head, importance, anchor, task > 0);
        double[][] theta = head.theta();
        double[][] estimate = LinearHead.zeros();
        for (int k = 0; k < SAMPLES; k++) {
          double[] x = randomArray(random, LinearHead.INPUTS, 1.0);
          double[][] g = LinearHead.squaredNormGradient(theta, x);
          for (int i = 0; i < 2; i++) {
            for (int e = 0; e < g[i].length; e++) {
              estimate[i][e] += WEIGHT * Math.abs(g[i][e]);
            }
          }
          head.estimate(x, new long[] {task, k}, WEIGHT);
        }
        for (int i = 0; i < 2; i++) {
          assertClose(estimate[i], head.state(i, "importance_estimate"), "importance_estimate");
        }
        head.consolidate();
        for (int i = 0; i < 2; i++) {
          for (int e = 0; e < importance[i].length; e++) {
            importance[i][e] += estimate[i][e];
          }
          anchor[i] = theta[i].clone();
          assertClose(importance[i], head.state(i, "importance"), "importance");
          assertClose(anchor[i], head.state(i, "anchor"), "anchor");
          assertClose(
              new double[importance[i].length],
              head.state(i, "importance_estimate"),
              "estimate cleared");
        }
        checkPenalty(head, importance, anchor, false);
      }
    }
  }

  private static void checkPenalty(
      LinearHead head, double[][] importance, double[][] anchor, boolean exercised) {
    double[][] theta = head.theta();
    double penalty = 0;
    for (int i = 0; i < 2; i++) {
      double[] gradient = new double[theta[i].length];
      for (int e = 0; e < gradient.length; e++) {
        double d = theta[i][e] - anchor[i][e];
        penalty += LAMBDA / 2 * importance[i][e] * d * d;
        gradient[e] = LAMBDA * importance[i][e] * d;
      }
      assertClose(gradient, head.read(head.penalty.gradients().get(i)), "gradient");
      assertClose(gradient, head.read(head.symbolicPenaltyGradients.get(i)), "symbolic gradient");
    }
    assertClose(new double[] {penalty}, head.read(head.penalty.value()), "penalty");
    if (exercised) {
      assertTrue(penalty > 1e-3, "the penalty should be exercised, got " + penalty);
    }
  }

  /** Rebase clears an estimate in progress and keeps the summed importance and the anchor. */
  @Test
  void rebaseClearsTheEstimateOnly() {
    try (LinearHead head = new LinearHead(new MemoryAwareSynapses.Config(1, 1), 32)) {
      double[] x = {1, 2, 3};
      head.estimate(x, new long[] {0, 0}, 1f);
      head.consolidate();
      head.step(new Random(3), 0.5);
      head.estimate(x, new long[] {0, 1}, 1f);
      double[] importance = head.state(0, "importance");
      double[] anchor = head.state(0, "anchor");
      head.rebase();
      assertClose(new double[importance.length], head.state(0, "importance_estimate"), "estimate");
      assertClose(importance, head.state(0, "importance"), "importance");
      assertClose(anchor, head.state(0, "anchor"), "anchor");
    }
  }

  @Test
  void stateVariablesCarryContractNames() {
    try (LinearHead head = new LinearHead(new MemoryAwareSynapses.Config(1, 7), 33)) {
      assertEquals(
          List.of(
              "mas/head/kernel/importance",
              "mas/head/kernel/anchor",
              "mas/head/kernel/importance_estimate",
              "mas/head/bias/importance",
              "mas/head/bias/anchor",
              "mas/head/bias/importance_estimate"),
          head.rule.state().stream().map(StateVariable::name).toList());
      assertEquals(7, head.estimator().samples());
    }
  }

  @Test
  void configValidatesAndRoundTripsThroughHyperparameters() {
    var config = new MemoryAwareSynapses.Config(1.0, 512);
    assertEquals(Map.of("lambda", 1.0, "samples", 512.0), config.hyperparameters());
    assertEquals(config, Rules.fromHyperparameters("mas", config.hyperparameters()));
    var lambda =
        assertThrows(IllegalArgumentException.class, () -> new MemoryAwareSynapses.Config(-2, 1));
    assertEquals("MAS strength lambda must be finite and >= 0, got -2.0", lambda.getMessage());
    var samples =
        assertThrows(IllegalArgumentException.class, () -> new MemoryAwareSynapses.Config(1, 0));
    assertEquals("MAS samples must be >= 1, got 0", samples.getMessage());
  }
}
