package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.ops.Metaplasticity;
import dev.metaplastic.ops.NeuromodulatedLearningRate;
import dev.metaplastic.ops.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * The neuromodulated learning rate wired into a {@link TrainingGraph} with SGD: at every step the
 * update applied equals g times the update plain SGD applies from the same weights and batch, with
 * g = clip(1 + κ(L − L̄)/(L̄ + ε), g_min, g_max) and L̄ ← L̄ + β(L − L̄) recomputed in double from
 * the losses the graph reports. The labels flip halfway, so that the loss jumps and the gain rises.
 */
class NeuromodulatedLearningRateTrainingTest {
  private static final MlpSpec SPEC = new MlpSpec(6, List.of(5), 2, 3, 11);
  private static final int BATCH = 8;
  private static final double LR = 0.5;
  private static final NeuromodulatedLearningRate.Config GATE =
      new NeuromodulatedLearningRate.Config(2.0, 0.3, 0.5, 2.0);

  @Test
  void sgdStepIsScaledByTheSurpriseGain() {
    try (Graph gatedGraph = new Graph();
        Graph plainGraph = new Graph()) {
      TrainingGraph gated =
          new TrainingGraph(gatedGraph, SPEC, new OptimizerConfig.Sgd(LR), List.of(GATE));
      TrainingGraph plain =
          new TrainingGraph(plainGraph, SPEC, new OptimizerConfig.Sgd(LR), List.of());
      try (Session gs = new Session(gatedGraph);
          Session ps = new Session(plainGraph)) {
        Random random = new Random(23);
        double baseline = 0;
        List<Double> gains = new ArrayList<>();
        for (int step = 0; step < 10; step++) {
          float[] x = new float[BATCH * SPEC.inputSize()];
          for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
          }
          int shift = step < 5 ? 0 : 1;
          List<float[]> before = new ArrayList<>();
          for (Parameter p : gated.parameters()) {
            float[] value = TrainingSteps.read(gs, p.variable());
            before.add(value);
            TrainingSteps.load(ps, plain, p.name(), value, p.shape());
          }
          double loss = TrainingSteps.trainStep(gs, gated, x, BATCH, shift);
          TrainingSteps.trainStep(ps, plain, x, BATCH, shift);
          double gain = 1;
          if (step > 0) {
            double linear = 1 + GATE.kappa() * (loss - baseline) / (baseline + 1e-6);
            gain = Math.min(Math.max(linear, GATE.minGain()), GATE.maxGain());
          }
          gains.add(gain);
          baseline = step == 0 ? loss : baseline + GATE.baselineRate() * (loss - baseline);
          for (int k = 0; k < before.size(); k++) {
            Parameter p = gated.parameters().get(k);
            float[] after = TrainingSteps.read(gs, p.variable());
            float[] plainAfter = TrainingSteps.read(ps, plain.parameters().get(k).variable());
            for (int i = 0; i < after.length; i++) {
              double expected = gain * ((double) plainAfter[i] - before.get(k)[i]);
              double actual = (double) after[i] - before.get(k)[i];
              assertEquals(
                  expected,
                  actual,
                  1e-6 + 1e-4 * Math.abs(expected),
                  p.name() + "[" + i + "] at step " + step + ", gain " + gain);
            }
          }
          float[] stored =
              TrainingSteps.read(gs, gated.variables().get("neuromod_lr/task_loss/baseline"));
          assertEquals(baseline, stored[0], 1e-5 * Math.max(1, baseline), "baseline");
        }
        assertTrue(
            gains.stream().anyMatch(g -> g > 1.2) && gains.stream().anyMatch(g -> g < 0.9),
            "the flip should raise the gain and learning should lower it: " + gains);
      }
    }
  }

  @Test
  void refusesASecondStepTransformingRule() {
    try (Graph g = new Graph()) {
      var error =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new TrainingGraph(
                      g,
                      SPEC,
                      new OptimizerConfig.Sgd(LR),
                      List.of(
                          GATE, new Metaplasticity.Config(1.0, Metaplasticity.Reference.ZERO))));
      assertTrue(error.getMessage().contains("at most one rule"), error.getMessage());
    }
  }
}
