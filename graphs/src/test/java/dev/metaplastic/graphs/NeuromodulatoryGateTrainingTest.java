package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.NeuromodulatoryGate;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;

/**
 * Acetylcholine's gate wired into a {@link TrainingGraph} with SI and SGD: after a first task is
 * consolidated, one step of the gated graph moves every weight by the plain step plus (1 + κ_ACh·u)
 * times the step SI's penalty adds, with u read from the gate's state before the step. The three
 * graphs (SI with the gate, SI alone, no rule) start the step from the same weights and SI state,
 * copied from the gated graph; SGD keeps the steps linear in the gradients.
 */
class NeuromodulatoryGateTrainingTest {
  private static final MlpSpec SPEC = new MlpSpec(6, List.of(5), 2, 3, 11);
  private static final int BATCH = 8;
  private static final double LR = 0.3;
  private static final SynapticIntelligence.Config SI = new SynapticIntelligence.Config(5.0, 0.01);
  private static final NeuromodulatoryGate.Config ACH =
      NeuromodulatoryGate.Config.of(Modulator.parse("ach"));

  @Test
  void acetylcholineScalesThePenaltysStep() {
    try (Graph gatedGraph = new Graph();
        Graph siGraph = new Graph();
        Graph plainGraph = new Graph()) {
      TrainingGraph gated = graph(gatedGraph, List.of(SI, ACH));
      TrainingGraph si = graph(siGraph, List.of(SI));
      TrainingGraph plain = graph(plainGraph, List.of());
      try (Session gs = new Session(gatedGraph);
          Session ss = new Session(siGraph);
          Session ps = new Session(plainGraph)) {
        Random random = new Random(5);
        for (int step = 0; step < 6; step++) {
          TrainingSteps.trainStep(gs, gated, batch(random), BATCH, step % 2);
        }
        gs.runner().fetch(gated.tasksConsolidated()).run().close();
        for (int step = 0; step < 4; step++) {
          TrainingSteps.trainStep(gs, gated, batch(random), BATCH, 1 + step % 2);
        }
        float u =
            TrainingSteps.read(gs, gated.variables().get("neuromod_gate/task_loss/expected"))[0];
        assertTrue(u > 0, "the gate has seen varying losses, u = " + u);
        double scale = 1 + ACH.trustSlope() * u;
        for (Map.Entry<String, TrainingGraph.Loader> e : gated.loaders().entrySet()) {
          float[] value = TrainingSteps.read(gs, gated.variables().get(e.getKey()));
          Shape shape = gated.variables().get(e.getKey()).shape();
          for (TrainingGraph other : List.of(si, plain)) {
            if (other.loaders().containsKey(e.getKey())) {
              TrainingSteps.load(other == si ? ss : ps, other, e.getKey(), value, shape);
            }
          }
        }
        float[] x = batch(random);
        List<float[]> before =
            gated.parameters().stream().map(p -> TrainingSteps.read(gs, p.variable())).toList();
        TrainingSteps.trainStep(gs, gated, x, BATCH, 2);
        TrainingSteps.trainStep(ss, si, x, BATCH, 2);
        TrainingSteps.trainStep(ps, plain, x, BATCH, 2);
        double largest = 0;
        for (int k = 0; k < before.size(); k++) {
          Parameter p = gated.parameters().get(k);
          float[] g = TrainingSteps.read(gs, p.variable());
          float[] s = TrainingSteps.read(ss, si.parameters().get(k).variable());
          float[] n = TrainingSteps.read(ps, plain.parameters().get(k).variable());
          for (int i = 0; i < g.length; i++) {
            double plainStep = (double) n[i] - before.get(k)[i];
            double penaltyStep = (double) s[i] - n[i];
            largest = Math.max(largest, Math.abs(penaltyStep));
            double expected = plainStep + scale * penaltyStep;
            double actual = (double) g[i] - before.get(k)[i];
            assertEquals(
                expected, actual, 2e-6 + 1e-4 * Math.abs(expected), p.name() + "[" + i + "]");
          }
        }
        assertTrue(largest > 1e-4, "SI's penalty should move the weights, largest " + largest);
      }
    }
  }

  private static TrainingGraph graph(Graph g, List<RuleConfig> rules) {
    return new TrainingGraph(g, SPEC, new OptimizerConfig.Sgd(LR), rules);
  }

  private static float[] batch(Random random) {
    float[] x = new float[BATCH * SPEC.inputSize()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }
}
