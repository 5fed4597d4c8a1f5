package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link ElasticWeightConsolidation} over steps and three task boundaries against a
 * plain-Java double computation that keeps one (F_t, θ*_t) pair per task, as the paper's multi-task
 * penalty is written: the running sum must give the same penalty and gradient.
 */
class ElasticWeightConsolidationTest {
  private static final double LAMBDA = 3.0;
  private static final int SAMPLES = 5;
  private static final float WEIGHT = 1f / SAMPLES;

  @Test
  void stateAndPenaltyMatchThePerTaskSumOverThreeBoundaries() {
    try (LinearHead head = new LinearHead(new ElasticWeightConsolidation.Config(LAMBDA, 5), 1)) {
      Random random = new Random(11);
      List<double[][]> fishers = new ArrayList<>();
      List<double[][]> anchors = new ArrayList<>();
      for (int task = 0; task < 3; task++) {
        for (int step = 0; step < 3; step++) {
          head.step(random, 0.3);
        }
        checkPenalty(head, fishers, anchors, !fishers.isEmpty());
        double[][] theta = head.theta();
        double[][] estimate = LinearHead.zeros();
        for (int k = 0; k < SAMPLES; k++) {
          double[] x = randomArray(random, LinearHead.INPUTS, 1.0);
          long[] seed = {task, k};
          int label = head.sampledLabel(x, seed);
          double[][] g = LinearHead.logLikelihoodGradient(theta, x, label);
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
        fishers.add(estimate);
        anchors.add(theta);
        for (int i = 0; i < 2; i++) {
          int n = theta[i].length;
          double[] fisher = new double[n];
          double[] anchor = new double[n];
          double[] residual = new double[n];
          for (int e = 0; e < n; e++) {
            double f = 0;
            double s1 = 0;
            double s2 = 0;
            for (int t = 0; t < fishers.size(); t++) {
              double ft = fishers.get(t)[i][e];
              double at = anchors.get(t)[i][e];
              f += ft;
              s1 += ft * at;
              s2 += ft * at * at;
            }
            fisher[e] = f;
            anchor[e] = f > 0 ? s1 / f : theta[i][e];
            residual[e] = f > 0 ? s2 - s1 * s1 / f : 0;
          }
          assertClose(fisher, head.state(i, "fisher"), "fisher");
          assertClose(anchor, head.state(i, "anchor"), "anchor");
          assertClose(residual, head.state(i, "residual"), "residual");
          assertClose(new double[n], head.state(i, "fisher_estimate"), "fisher_estimate cleared");
        }
        // Right after a boundary θ is the last anchor; from the second on, older tasks pull.
        checkPenalty(head, fishers, anchors, fishers.size() > 1);
      }
    }
  }

  /** λ/2 Σ_t Σ F_t (θ − θ*_t)² and its gradient λ Σ_t F_t (θ − θ*_t), per task as in the paper. */
  private static void checkPenalty(
      LinearHead head, List<double[][]> fishers, List<double[][]> anchors, boolean exercised) {
    double[][] theta = head.theta();
    double penalty = 0;
    for (int i = 0; i < 2; i++) {
      double[] gradient = new double[theta[i].length];
      for (int t = 0; t < fishers.size(); t++) {
        for (int e = 0; e < gradient.length; e++) {
          double d = theta[i][e] - anchors.get(t)[i][e];
          penalty += LAMBDA / 2 * fishers.get(t)[i][e] * d * d;
          gradient[e] += LAMBDA * fishers.get(t)[i][e] * d;
        }
      }
      assertClose(gradient, head.read(head.penalty.gradients().get(i)), "gradient");
      assertClose(gradient, head.read(head.symbolicPenaltyGradients.get(i)), "symbolic gradient");
    }
    assertClose(new double[] {penalty}, head.read(head.penalty.value()), "penalty");
    if (exercised) {
      assertTrue(penalty > 1e-3, "the penalty should be exercised, got " + penalty);
    }
  }

  /** Labels are drawn from the model's softmax, not taken as its argmax. */
  @Test
  void sampledLabelsFollowTheSoftmax() {
    try (LinearHead head = new LinearHead(new ElasticWeightConsolidation.Config(1, 1), 2)) {
      double[] x = {0.3, -0.2, 0.5};
      double[] p = LinearHead.softmax(LinearHead.logits(head.theta(), x));
      int draws = 2000;
      double[] frequency = new double[LinearHead.CLASSES];
      for (int k = 0; k < draws; k++) {
        frequency[head.sampledLabel(x, new long[] {7, k})] += 1.0 / draws;
      }
      // Binomial standard deviation is at most 0.011 here; 0.05 is more than four of them.
      assertClose(p, frequency, 0.05, "label frequencies");
      assertEquals(
          head.sampledLabel(x, new long[] {7, 3}), head.sampledLabel(x, new long[] {7, 3}));
    }
  }

  /** Rebase clears an estimate in progress and keeps the consolidated Fisher and anchor. */
  @Test
  void rebaseClearsTheEstimateOnly() {
    try (LinearHead head = new LinearHead(new ElasticWeightConsolidation.Config(1, 1), 3)) {
      double[] x = {1, 2, 3};
      head.estimate(x, new long[] {1, 1}, 1f);
      head.consolidate();
      head.estimate(x, new long[] {1, 2}, 1f);
      double[] fisher = head.state(0, "fisher");
      double[] anchor = head.state(0, "anchor");
      assertTrue(head.state(0, "fisher_estimate")[0] > 0);
      head.rebase();
      assertClose(new double[fisher.length], head.state(0, "fisher_estimate"), "estimate");
      assertClose(fisher, head.state(0, "fisher"), "fisher");
      assertClose(anchor, head.state(0, "anchor"), "anchor");
    }
  }

  /** Where the summed Fisher is zero, the anchor is θ and the residual stays zero. */
  @Test
  void zeroFisherAnchorsAtTheCurrentWeights() {
    try (LinearHead head = new LinearHead(new ElasticWeightConsolidation.Config(1, 1), 4)) {
      head.step(new Random(1), 0.5);
      head.consolidate();
      double[][] theta = head.theta();
      for (int i = 0; i < 2; i++) {
        assertClose(theta[i], head.state(i, "anchor"), "anchor");
        assertClose(new double[theta[i].length], head.state(i, "residual"), "residual");
      }
      assertClose(new double[] {0}, head.read(head.penalty.value()), "penalty");
    }
  }

  @Test
  void stateVariablesCarryContractNames() {
    try (LinearHead head = new LinearHead(new ElasticWeightConsolidation.Config(1, 1), 5)) {
      assertEquals(
          List.of(
              "ewc/head/kernel/fisher",
              "ewc/head/kernel/anchor",
              "ewc/head/kernel/residual",
              "ewc/head/kernel/fisher_estimate",
              "ewc/head/bias/fisher",
              "ewc/head/bias/anchor",
              "ewc/head/bias/residual",
              "ewc/head/bias/fisher_estimate"),
          head.rule.state().stream().map(StateVariable::name).toList());
      assertEquals(1, head.estimator().samples());
    }
  }

  @Test
  void configValidatesAndRoundTripsThroughHyperparameters() {
    var config = new ElasticWeightConsolidation.Config(400, 200);
    assertEquals(Map.of("lambda", 400.0, "samples", 200.0), config.hyperparameters());
    assertEquals(config, Rules.fromHyperparameters("ewc", config.hyperparameters()));
    assertEquals(1024, new ElasticWeightConsolidation.Config(1).samples());

    var negative =
        assertThrows(
            IllegalArgumentException.class, () -> new ElasticWeightConsolidation.Config(-1, 10));
    assertEquals("EWC strength lambda must be finite and >= 0, got -1.0", negative.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new ElasticWeightConsolidation.Config(Double.NaN, 10));
    var none =
        assertThrows(
            IllegalArgumentException.class, () -> new ElasticWeightConsolidation.Config(1, 0));
    assertEquals("EWC samples must be >= 1, got 0", none.getMessage());
    Map<String, Double> fractional = new HashMap<>(Map.of("lambda", 1.0, "samples", 2.5));
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> Rules.fromHyperparameters("ewc", fractional));
    assertEquals(
        "rule ewc: hyperparameter 'samples' must be a whole number, got 2.5", e.getMessage());
    var missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> Rules.fromHyperparameters("ewc", Map.of("lambda", 1.0)));
    assertEquals("rule ewc lacks hyperparameter 'samples'", missing.getMessage());
  }
}
