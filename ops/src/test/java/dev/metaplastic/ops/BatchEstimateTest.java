package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every rule that estimates from data gives, from one batch, the estimate its examples give fed one
 * at a time (today's estimator) and the plain-Java double-precision sum Σ_i w_i s(g_i): the same
 * examples, seeds and weights, the per-example gradients of the batch taken in closed form. A zero
 * weight leaves a row out, as the trainer pads a last batch.
 */
class BatchEstimateTest {
  private static final float[] WEIGHTS = {0.25f, 0.25f, 0f, 0.25f, 0.25f};

  /** What one example adds, in plain Java, to each of the rule's estimates. */
  @FunctionalInterface
  private interface Contribution {
    double[][] of(LinearHead head, double[][] theta, double[] example, long[] seed);
  }

  private record Case(RuleConfig config, String state, Contribution contribution) {}

  @Test
  void oneBatchGivesTheEstimateOfItsExamplesOneAtATime() {
    Contribution fisher =
        (head, theta, x, seed) ->
            square(LinearHead.logLikelihoodGradient(theta, x, head.sampledLabel(x, seed)));
    List<Case> cases =
        List.of(
            new Case(new ElasticWeightConsolidation.Config(1, 4), "fisher_estimate", fisher),
            new Case(
                new OnlineElasticWeightConsolidation.Config(1, 1, 4), "fisher_estimate", fisher),
            new Case(
                new MemoryAwareSynapses.Config(1, 4),
                "importance_estimate",
                (head, theta, x, seed) -> absolute(LinearHead.squaredNormGradient(theta, x))),
            new Case(
                new GradientProjectionMemory.Config(0.9, 4),
                "representation",
                (head, theta, x, seed) -> new double[][] {outer(x)}));
    for (Case c : cases) {
      Random random = new Random(7);
      double[][] examples = new double[LinearHead.BATCH][];
      long[][] seeds = new long[LinearHead.BATCH][];
      for (int i = 0; i < LinearHead.BATCH; i++) {
        examples[i] = randomArray(random, LinearHead.INPUTS, 1.0);
        seeds[i] = new long[] {11, i};
      }
      try (LinearHead single = new LinearHead(c.config(), 3);
          LinearHead batch = new LinearHead(c.config(), 3)) {
        double[][] theta = single.theta();
        double[][] plain = null;
        for (int i = 0; i < LinearHead.BATCH; i++) {
          if (WEIGHTS[i] > 0) {
            single.estimate(examples[i], seeds[i], WEIGHTS[i]);
            double[][] added = c.contribution().of(single, theta, examples[i], seeds[i]);
            plain = plain == null ? new double[added.length][] : plain;
            for (int p = 0; p < added.length; p++) {
              plain[p] = plain[p] == null ? new double[added[p].length] : plain[p];
              for (int e = 0; e < added[p].length; e++) {
                plain[p][e] += WEIGHTS[i] * added[p][e];
              }
            }
          }
        }
        batch.estimateBatch(examples, seeds, WEIGHTS);
        String name = c.config().name();
        for (int p = 0; p < plain.length; p++) {
          double[] expected = single.state(p, c.state());
          String what = name + " " + c.state() + " of parameter " + p;
          assertTrue(Arrays.stream(expected).anyMatch(v -> v != 0), what + " estimates something");
          assertClose(plain[p], expected, what + ", one at a time, against plain Java");
          assertClose(expected, batch.state(p, c.state()), what + ", in a batch");
        }
      }
    }
  }

  private static double[][] square(double[][] g) {
    return Arrays.stream(g)
        .map(row -> Arrays.stream(row).map(v -> v * v).toArray())
        .toArray(double[][]::new);
  }

  private static double[][] absolute(double[][] g) {
    return Arrays.stream(g)
        .map(row -> Arrays.stream(row).map(Math::abs).toArray())
        .toArray(double[][]::new);
  }

  /** a·aᵀ of the augmented input a = [x; 1], row-major. */
  private static double[] outer(double[] x) {
    double[] a = Arrays.copyOf(x, x.length + 1);
    a[x.length] = 1;
    double[] out = new double[a.length * a.length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a.length; j++) {
        out[i * a.length + j] = a[i] * a[j];
      }
    }
    return out;
  }
}
