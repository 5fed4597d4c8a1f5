package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Runs {@link NeuromodulatoryGate} with each subset of its modulators over a stream of losses that
 * settles, jumps (a new task) and settles again, wired as the training graph wires it (steps gated
 * before the update, the state folded in after it), and compares the gated step, the penalty scale
 * and every state variable with a plain-Java double computation of the class's equations.
 */
class NeuromodulatoryGateTest {
  private static final double[] LOSSES = {2.3, 1.2, 0.8, 0.6, 0.55, 0.5, 2.4, 1.9, 1.1, 0.7, 0.9};
  private static final List<Set<Modulator>> SUBSETS =
      List.of(
          Modulator.parse("da"),
          Modulator.parse("na"),
          Modulator.parse("ach"),
          Modulator.parse("da+na"),
          Modulator.parse("da+na+ach"));

  private static NeuromodulatoryGate.Config config(Set<Modulator> modulators) {
    return new NeuromodulatoryGate.Config(modulators, 0.3, 0.6, 0.1, 1.5, 2.0, 3.0, 0.2, 2.5);
  }

  @Test
  void everySubsetMatchesPlainJava() {
    for (Set<Modulator> subset : SUBSETS) {
      NeuromodulatoryGate.Config c = config(subset);
      try (Graph graph = new Graph()) {
        Ops tf = Ops.create(graph);
        VariableRegistry registry = new VariableRegistry(tf);
        Operand<TFloat32> init = tf.constant(new float[] {0.5f, -1f});
        Variable<TFloat32> w = registry.create("dense_0/bias", init);
        NeuromodulatoryGate rule =
            (NeuromodulatoryGate)
                c.attach(
                    new RuleConfig.Attachment(
                        registry, List.of(new Parameter("dense_0/bias", w, init, Shape.of(2)))));
        Placeholder<TFloat32> loss =
            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
        Placeholder<TFloat32> proposed = tf.placeholder(TFloat32.class);
        Operand<TFloat32> gated =
            rule instanceof StepTransform t
                ? tf.identity(
                    t.transformSteps(new StepTransform.Context(tf, List.of(proposed), loss)).get(0))
                : tf.identity(proposed);
        Operand<TFloat32> scale =
            rule instanceof PenaltyScale p
                ? tf.identity(p.penaltyScale(new PenaltyScale.Context(tf)))
                : tf.constant(1f);
        assertEquals(c.gatesRate(), rule instanceof StepTransform, "rate gate of " + subset);
        assertEquals(
            c.acts(Modulator.ACETYLCHOLINE), rule instanceof PenaltyScale, "scale of " + subset);
        // As in the training graph, the update waits for what is read before the step.
        Op apply = tf.withControlDependencies(List.of(scale)).assignSub(w, gated);
        List<Op> after =
            rule.afterStep(
                new AfterStep.Context(
                    tf.withControlDependencies(List.of(apply)), List.of(), List.of(), loss));
        double prediction = 0;
        double f = 0;
        double u = 0;
        boolean seen = false;
        double maxGain = 0;
        double minGain = 10;
        try (Session session = new Session(graph)) {
          for (double raw : LOSSES) {
            double l = (float) raw;
            double expectedScale = c.acts(Modulator.ACETYLCHOLINE) ? 1 + c.trustSlope() * u : 1;
            double delta = seen ? (prediction - l) / (prediction + l + 1e-6) : 0;
            f += c.fastRate() * (delta * delta - f);
            u += c.slowRate() * (delta * delta - u);
            double g = 1;
            if (c.acts(Modulator.DOPAMINE)) {
              g = Math.max(c.minGain(), 1 + c.dopamineSlope() * delta);
            }
            if (c.acts(Modulator.NORADRENALINE)) {
              g *= 1 + c.gainSlope() * Math.max(0, f - u) / (f + 1e-6);
            }
            g = Math.min(Math.max(g, c.minGain()), c.maxGain());
            maxGain = Math.max(maxGain, g);
            minGain = Math.min(minGain, g);
            prediction = seen ? prediction + c.predictionRate() * (l - prediction) : l;
            seen = true;
            List<Double> fetched = new ArrayList<>();
            try (TFloat32 lt = TFloat32.scalarOf((float) l);
                TFloat32 st = TFloat32.vectorOf(0.1f, -0.2f)) {
              var runner = session.runner().feed(loss, lt).feed(proposed, st);
              runner.fetch(gated).fetch(scale).addTarget(apply);
              after.forEach(runner::addTarget);
              try (var result = runner.run()) {
                double[] step = TestTensors.toDoubles((TFloat32) result.get(0));
                fetched.add(step[0] / (float) 0.1);
                fetched.add(TestTensors.toDoubles((TFloat32) result.get(1))[0]);
              }
            }
            String what = Modulator.describe(subset) + " at loss " + raw;
            assertClose(new double[] {g}, new double[] {fetched.get(0)}, "gain of " + what);
            assertClose(
                new double[] {expectedScale}, new double[] {fetched.get(1)}, "scale of " + what);
            double[] state = new double[4];
            for (int i = 0; i < 4; i++) {
              state[i] = TestTensors.read(session, rule.state().get(i).variable())[0];
            }
            assertClose(new double[] {prediction, f, u, 1}, state, "state of " + what);
          }
        }
        if (c.acts(Modulator.NORADRENALINE)) {
          assertTrue(maxGain > 1.5, "the jump of the loss should raise the rate, max " + maxGain);
        }
        if (subset.equals(Set.of(Modulator.DOPAMINE))) {
          assertTrue(minGain < 0.5, "the jump of the loss should lower the rate, min " + minGain);
        }
      }
    }
  }

  @Test
  void namesStateAndHyperparameters() {
    NeuromodulatoryGate.Config c = config(Modulator.parse("na+ach"));
    Map<String, Double> h = c.hyperparameters();
    assertEquals(0.0, h.get("da"));
    assertEquals(1.0, h.get("na"));
    assertEquals(c, Rules.fromHyperparameters(NeuromodulatoryGate.NAME, h));
    assertEquals(
        "neuromod_gate(da=off, na=on, ach=on, prediction_rate=0.3, fast_rate=0.6, slow_rate=0.1,"
            + " kappa_da=1.5, kappa_na=2.0, kappa_ach=3.0, min_gain=0.2, max_gain=2.5)",
        c.toString());
    assertEquals(
        NeuromodulatoryGate.GATES,
        NeuromodulatoryGate.DESCRIPTOR.defaults().modulators(),
        "the preset gates with all three");
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      Operand<TFloat32> init = tf.constant(new float[] {1f});
      Variable<TFloat32> w = registry.create("w", init);
      ConsolidationRule ach =
          config(Modulator.parse("ach"))
              .attach(
                  new RuleConfig.Attachment(
                      registry, List.of(new Parameter("w", w, init, Shape.of(1)))));
      assertEquals(
          List.of(
              "neuromod_gate/task_loss/prediction",
              "neuromod_gate/task_loss/recent",
              "neuromod_gate/task_loss/expected",
              "neuromod_gate/task_loss/seen"),
          ach.state().stream().map(StateVariable::name).toList());
      assertFalse(ach instanceof StepTransform, "acetylcholine alone scales penalties, not steps");
      assertFalse(ach instanceof Penalty);
      assertFalse(ach instanceof Consolidation);
    }
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NeuromodulatoryGate.Config.of(Modulator.parse("da+5ht")));
    assertEquals(
        "a consolidation rule is gated by da, na or ach (5ht acts on a response, which a"
            + " classifier does not emit), got da+5ht",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NeuromodulatoryGate.Config.of(Set.of()));
  }
}
