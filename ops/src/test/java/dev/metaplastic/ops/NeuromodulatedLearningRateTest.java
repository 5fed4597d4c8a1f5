package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.tensor;
import static dev.metaplastic.ops.TestTensors.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * Checks the steps {@link NeuromodulatedLearningRate} applies, and its baseline, over a sequence of
 * losses that drives the gain to its floor, its ceiling and in between, against an independent
 * double-precision computation of g = clip(1 + κ(L − L̄)/(L̄ + ε), g_min, g_max) and L̄ ← L̄ + β(L
 * − L̄), wired as the training graph wires it: steps transformed before the update, the baseline
 * folded in after it.
 */
class NeuromodulatedLearningRateTest {
  private static final NeuromodulatedLearningRate.Config CONFIG =
      new NeuromodulatedLearningRate.Config(2.0, 0.3, 0.5, 2.5);
  private static final long[][] SHAPES = {{3, 4}, {4}};
  private static final double[] LOSSES = {2.0, 1.8, 1.5, 1.4, 3.5, 2.9, 0.4, 1.2, 1.25};

  @Test
  void gatesStepsBySurpriseAndTracksTheBaseline() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      Random random = new Random(17);
      List<Parameter> parameters = new ArrayList<>();
      List<double[]> theta = new ArrayList<>();
      List<Placeholder<TFloat32>> stepFeeds = new ArrayList<>();
      for (int i = 0; i < SHAPES.length; i++) {
        Shape shape = Shape.of(SHAPES[i]);
        double[] values = randomArray(random, (int) shape.size(), 0.5);
        theta.add(values);
        Operand<TFloat32> init = tf.constant(shape, DataBuffers.of(toFloat(values), true, false));
        Variable<TFloat32> variable = registry.create("layer_" + i + "/w", init);
        parameters.add(new Parameter("layer_" + i + "/w", variable, init, shape));
        stepFeeds.add(tf.placeholder(TFloat32.class));
      }
      Placeholder<TFloat32> loss =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      NeuromodulatedLearningRate rule =
          (NeuromodulatedLearningRate)
              CONFIG.attach(new RuleConfig.Attachment(registry, parameters));
      List<Operand<TFloat32>> transformed =
          rule
              .transformSteps(new StepTransform.Context(tf, new ArrayList<>(stepFeeds), loss))
              .stream()
              .<Operand<TFloat32>>map(tf::identity)
              .toList();
      List<Op> apply = new ArrayList<>();
      for (int i = 0; i < SHAPES.length; i++) {
        apply.add(tf.assignSub(parameters.get(i).variable(), transformed.get(i)));
      }
      Ops after = tf.withControlDependencies(apply);
      List<Op> step = new ArrayList<>(apply);
      step.addAll(rule.afterStep(new AfterStep.Context(after, List.of(), List.of(), loss)));

      double baseline = 0;
      boolean seen = false;
      int floor = 0;
      int ceiling = 0;
      int between = 0;
      try (Session session = new Session(graph)) {
        for (int t = 0; t < LOSSES.length; t++) {
          double l = (float) LOSSES[t];
          double gain = 1;
          if (seen) {
            double linear = 1 + CONFIG.kappa() * (l - baseline) / (baseline + 1e-6);
            gain = Math.min(Math.max(linear, CONFIG.minGain()), CONFIG.maxGain());
            floor += gain == CONFIG.minGain() ? 1 : 0;
            ceiling += gain == CONFIG.maxGain() ? 1 : 0;
            between += gain > CONFIG.minGain() && gain < CONFIG.maxGain() ? 1 : 0;
          }
          baseline = seen ? baseline + CONFIG.baselineRate() * (l - baseline) : l;
          seen = true;

          List<double[]> steps = new ArrayList<>();
          List<TFloat32> fed = new ArrayList<>();
          try (TFloat32 lt = TFloat32.scalarOf((float) l)) {
            var runner = session.runner().feed(loss, lt);
            for (int i = 0; i < SHAPES.length; i++) {
              double[] s = randomArray(random, theta.get(i).length, 0.1);
              steps.add(s);
              TFloat32 st = tensor(s, SHAPES[i]);
              fed.add(st);
              runner.feed(stepFeeds.get(i), st).fetch(transformed.get(i));
            }
            step.forEach(runner::addTarget);
            try (var result = runner.run()) {
              for (int i = 0; i < SHAPES.length; i++) {
                double[] expected = new double[steps.get(i).length];
                for (int k = 0; k < expected.length; k++) {
                  expected[k] = gain * steps.get(i)[k];
                  theta.get(i)[k] -= expected[k];
                }
                assertClose(
                    expected,
                    TestTensors.toDoubles((TFloat32) result.get(i)),
                    "gated step " + i + " at step " + t);
              }
            }
          } finally {
            fed.forEach(TFloat32::close);
          }
          for (int i = 0; i < SHAPES.length; i++) {
            assertClose(
                theta.get(i),
                TestTensors.read(session, parameters.get(i).variable()),
                "theta " + i + " after step " + t);
          }
          assertClose(
              new double[] {baseline},
              TestTensors.read(session, rule.state().get(0).variable()),
              "baseline after step " + t);
          assertClose(
              new double[] {1},
              TestTensors.read(session, rule.state().get(1).variable()),
              "seen after step " + t);
        }
      }
      assertTrue(floor > 0 && ceiling > 0 && between > 0, floor + " " + ceiling + " " + between);
      ConsolidationRule any = rule;
      assertFalse(any instanceof Consolidation, "the baseline keeps running across a boundary");
      assertFalse(any instanceof Rebase, "the baseline describes losses, not parameters");
    }
  }

  @Test
  void namesStateAndHyperparameters() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      Operand<TFloat32> init = tf.constant(new float[] {1f, 2f});
      Variable<TFloat32> w = registry.create("dense_0/bias", init);
      ConsolidationRule rule =
          NeuromodulatedLearningRate.Config.DEFAULT.attach(
              new RuleConfig.Attachment(
                  registry, List.of(new Parameter("dense_0/bias", w, init, Shape.of(2)))));
      assertEquals(
          List.of("neuromod_lr/task_loss/baseline", "neuromod_lr/task_loss/seen"),
          rule.state().stream().map(StateVariable::name).toList());
      assertEquals("task_loss", rule.state().get(0).parameter());
      assertTrue(rule instanceof StepTransform);
      assertFalse(rule instanceof Penalty);
      assertThrows(
          NullPointerException.class,
          () -> new StepTransform.Context(tf, List.<Operand<TFloat32>>of(init), null));
      assertThrows(
          NullPointerException.class, () -> new AfterStep.Context(tf, List.of(), List.of(), null));
    }
    Map<String, Double> h = CONFIG.hyperparameters();
    assertEquals(CONFIG, Rules.fromHyperparameters(NeuromodulatedLearningRate.NAME, h));
    assertThrows(
        IllegalArgumentException.class,
        () -> new NeuromodulatedLearningRate.Config(1.0, 0.0, 1.0, 2.0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new NeuromodulatedLearningRate.Config(1.0, 0.1, 2.0, 1.0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new NeuromodulatedLearningRate.Config(-1.0, 0.1, 1.0, 2.0));
  }
}
