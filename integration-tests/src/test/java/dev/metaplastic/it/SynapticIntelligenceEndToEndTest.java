package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.Examples;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.train.ModelSession;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SI's equations checked through the public API on a real training run, with plain-Java double
 * arithmetic on the weights read before and after every step. With SGD and no importance yet, each
 * applied update is Δθ = −η g, so the path integral of the first task must be Σ Δθ² / η; the
 * boundary must give Ω = max(0, ω / ((θ − θ_start)² + ξ)); and the penalty of the next task must be
 * c Σ Ω (θ − θ*)².
 */
class SynapticIntelligenceEndToEndTest {
  private static final double LR = 0.05;
  private static final double C = 0.5;
  private static final double XI = 1e-3;
  private static final String KERNEL = "dense_0/kernel";

  @Test
  void stateFollowsThePapersEquationsDuringRealTraining() {
    MlpSpec spec = new MlpSpec(784, List.of(16), 3, 2, 5);
    Examples data = Fixtures.STREAM.tasks().get(0).train();
    int batch = 32;
    float[] x = new float[batch * 784];
    int[] y = new int[batch];
    int[] task = new int[batch];
    int[] order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    try (ModelSession model =
        new ModelSession(
            spec, new OptimizerConfig.Sgd(LR), List.of(new SynapticIntelligence.Config(C, XI)))) {
      double[] start = toDouble(model.read(KERNEL));
      double[] omega = new double[start.length];
      for (int step = 0; step < 10; step++) {
        data.gather(order, step * batch, batch, x, y, task);
        double[] before = toDouble(model.read(KERNEL));
        model.trainStep(x, y, task, batch);
        double[] after = toDouble(model.read(KERNEL));
        for (int k = 0; k < omega.length; k++) {
          double delta = after[k] - before[k];
          omega[k] += delta * delta / LR;
        }
      }
      assertClose(omega, model.read("si/" + KERNEL + "/path_integral"), "path integral");

      double[] theta = toDouble(model.read(KERNEL));
      double[] importance = new double[theta.length];
      for (int k = 0; k < theta.length; k++) {
        double d = theta[k] - start[k];
        importance[k] = Math.max(0, omega[k] / (d * d + XI));
      }
      assertEquals(1, model.consolidate());
      assertClose(importance, model.read("si/" + KERNEL + "/importance"), "importance");
      assertClose(theta, model.read("si/" + KERNEL + "/anchor"), "anchor");
      assertClose(new double[theta.length], model.read("si/" + KERNEL + "/path_integral"), "reset");

      for (int step = 10; step < 15; step++) {
        data.gather(order, step * batch, batch, x, y, task);
        model.trainStep(x, y, task, batch);
      }
      double expected = 0;
      for (Parameter parameter : model.graph().parameters()) {
        double[] now = toDouble(model.read(parameter.name()));
        double[] omegaOf = toDouble(model.read("si/" + parameter.name() + "/importance"));
        double[] anchor = toDouble(model.read("si/" + parameter.name() + "/anchor"));
        for (int k = 0; k < now.length; k++) {
          double d = now[k] - anchor[k];
          expected += C * omegaOf[k] * d * d;
        }
      }
      assertTrue(expected > 0, "importance and displacement should make a penalty");
      data.gather(order, 0, batch, x, y, task);
      // The penalty of a step is that of the weights the step starts from.
      double penalty = model.trainStep(x, y, task, batch).penalty();
      assertEquals(expected, penalty, 1e-4 * expected, "penalty");
    }
  }

  private static double[] toDouble(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static void assertClose(double[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(
          expected[i],
          actual[i],
          1e-4 * Math.max(1e-3, Math.abs(expected[i])),
          what + "[" + i + "]");
    }
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    float[] f = new float[actual.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) actual[i];
    }
    assertClose(expected, f, what);
  }
}
