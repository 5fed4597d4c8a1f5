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
 * Checks {@link OnlineElasticWeightConsolidation} over steps and three task boundaries against a
 * plain-Java double computation of F* ← γF* + F_t, θ* ← θ and λ/2 Σ F* (θ − θ*)².
 */
class OnlineElasticWeightConsolidationTest {
  private static final double LAMBDA = 2.0;
  private static final double GAMMA = 0.6;
  private static final int SAMPLES = 5;
  private static final float WEIGHT = 1f / SAMPLES;

  @Test
  void stateAndPenaltyMatchPlainJavaOverThreeBoundaries() {
    var config = new OnlineElasticWeightConsolidation.Config(LAMBDA, GAMMA, SAMPLES);
    try (LinearHead head = new LinearHead(config, 21)) {
      Random random = new Random(12);
      double[][] fisher = LinearHead.zeros();
      double[][] anchor = head.theta();
      for (int task = 0; task < 3; task++) {
        for (int step = 0; step < 3; step++) {
          head.step(random, 0.3);
        }
        checkPenalty(head, fisher, anchor, task > 0);
        double[][] theta = head.theta();
        double[][] estimate = LinearHead.zeros();
        for (int k = 0; k < SAMPLES; k++) {
          double[] x = randomArray(random, LinearHead.INPUTS, 1.0);
          long[] seed = {task, k};
          double[][] g = LinearHead.logLikelihoodGradient(theta, x, head.sampledLabel(x, seed));
          for (int i = 0; i < 2; i++) {
            for (int e = 0; e < g[i].length; e++) {
              estimate[i][e] += WEIGHT * g[i][e] * g[i][e];
            }
          }
          head.estimate(x, seed, WEIGHT);
        }
        for (int i = 0; i < 2; i++) {
          assertClose(estimate[i], head.state(i, "fisher_estimate"), "fisher_estimate");
        }
        head.consolidate();
        for (int i = 0; i < 2; i++) {
          for (int e = 0; e < fisher[i].length; e++) {
            fisher[i][e] = GAMMA * fisher[i][e] + estimate[i][e];
          }
          anchor[i] = theta[i].clone();
          assertClose(fisher[i], head.state(i, "fisher"), "fisher");
          assertClose(anchor[i], head.state(i, "anchor"), "anchor");
          assertClose(
              new double[fisher[i].length], head.state(i, "fisher_estimate"), "estimate cleared");
        }
        checkPenalty(head, fisher, anchor, false);
      }
    }
  }

  private static void checkPenalty(
      LinearHead head, double[][] fisher, double[][] anchor, boolean exercised) {
    double[][] theta = head.theta();
    double penalty = 0;
    for (int i = 0; i < 2; i++) {
      double[] gradient = new double[theta[i].length];
      for (int e = 0; e < gradient.length; e++) {
        double d = theta[i][e] - anchor[i][e];
        penalty += LAMBDA / 2 * fisher[i][e] * d * d;
        gradient[e] = LAMBDA * fisher[i][e] * d;
      }
      assertClose(gradient, head.read(head.penalty.gradients().get(i)), "gradient");
      assertClose(gradient, head.read(head.symbolicPenaltyGradients.get(i)), "symbolic gradient");
    }
    assertClose(new double[] {penalty}, head.read(head.penalty.value()), "penalty");
    if (exercised) {
      assertTrue(penalty > 1e-3, "the penalty should be exercised, got " + penalty);
    }
  }

  /** Rebase clears an estimate in progress and keeps the running Fisher and the anchor. */
  @Test
  void rebaseClearsTheEstimateOnly() {
    var config = new OnlineElasticWeightConsolidation.Config(1, 0.5, 1);
    try (LinearHead head = new LinearHead(config, 22)) {
      double[] x = {1, 2, 3};
      head.estimate(x, new long[] {1, 1}, 1f);
      head.consolidate();
      head.step(new Random(3), 0.5);
      head.estimate(x, new long[] {1, 2}, 1f);
      double[] fisher = head.state(0, "fisher");
      double[] anchor = head.state(0, "anchor");
      head.rebase();
      assertClose(new double[fisher.length], head.state(0, "fisher_estimate"), "estimate");
      assertClose(fisher, head.state(0, "fisher"), "fisher");
      assertClose(anchor, head.state(0, "anchor"), "anchor");
    }
  }

  @Test
  void stateVariablesCarryContractNames() {
    var config = new OnlineElasticWeightConsolidation.Config(1, 0.5, 3);
    try (LinearHead head = new LinearHead(config, 23)) {
      assertEquals(
          List.of(
              "online_ewc/head/kernel/fisher",
              "online_ewc/head/kernel/anchor",
              "online_ewc/head/kernel/fisher_estimate",
              "online_ewc/head/bias/fisher",
              "online_ewc/head/bias/anchor",
              "online_ewc/head/bias/fisher_estimate"),
          head.rule.state().stream().map(StateVariable::name).toList());
      assertEquals(3, head.estimator().samples());
    }
  }

  @Test
  void configValidatesAndRoundTripsThroughHyperparameters() {
    var config = new OnlineElasticWeightConsolidation.Config(100, 0.9, 256);
    assertEquals(Map.of("lambda", 100.0, "gamma", 0.9, "samples", 256.0), config.hyperparameters());
    assertEquals(config, Rules.fromHyperparameters("online_ewc", config.hyperparameters()));
    var gamma =
        assertThrows(
            IllegalArgumentException.class,
            () -> new OnlineElasticWeightConsolidation.Config(1, 1.5, 10));
    assertEquals("online EWC decay gamma must be in [0, 1], got 1.5", gamma.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new OnlineElasticWeightConsolidation.Config(1, Double.NaN, 10));
    var lambda =
        assertThrows(
            IllegalArgumentException.class,
            () -> new OnlineElasticWeightConsolidation.Config(Double.POSITIVE_INFINITY, 0.5, 10));
    assertEquals(
        "online EWC strength lambda must be finite and >= 0, got Infinity", lambda.getMessage());
    var samples =
        assertThrows(
            IllegalArgumentException.class,
            () -> new OnlineElasticWeightConsolidation.Config(1, 0.5, -3));
    assertEquals("online EWC samples must be >= 1, got -3", samples.getMessage());
    var missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> Rules.fromHyperparameters("online_ewc", Map.of("lambda", 1.0, "samples", 2.0)));
    assertEquals("rule online_ewc lacks hyperparameter 'gamma'", missing.getMessage());
  }
}
