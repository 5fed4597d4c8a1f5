package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.tensor;
import static dev.metaplastic.ops.TestTensors.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.ops.Metaplasticity.Reference;
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
 * Checks the steps {@link Metaplasticity} applies, and its anchor state, over several steps and
 * task boundaries against an independent double-precision computation of f_meta = 1 − tanh²(m·W)
 * and of the condition under which it applies.
 */
class MetaplasticityTest {
  private static final double M = 1.3;
  private static final long[][] SHAPES = {{3, 4}, {4}, {2, 2, 2}};

  /** A graph with one rule attached: step feeds, transformed steps and θ ← θ − step. */
  private static final class Fixture implements AutoCloseable {
    final Graph graph = new Graph();
    final Session session;
    final Metaplasticity rule;
    final List<Placeholder<TFloat32>> stepFeeds = new ArrayList<>();
    final List<Operand<TFloat32>> transformed;
    final List<Op> apply = new ArrayList<>();
    final List<Op> consolidate;
    final List<Op> rebase;
    final List<Placeholder<TFloat32>> setFeeds = new ArrayList<>();
    final List<Op> set = new ArrayList<>();

    Fixture(Reference reference, double scale) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      Random random = new Random(42);
      List<Parameter> parameters = new ArrayList<>();
      for (int i = 0; i < SHAPES.length; i++) {
        Shape shape = Shape.of(SHAPES[i]);
        double[] values = randomArray(random, (int) shape.size(), scale);
        Operand<TFloat32> init = tf.constant(shape, DataBuffers.of(toFloat(values), true, false));
        Variable<TFloat32> theta = registry.create("layer_" + i + "/w", init);
        parameters.add(new Parameter("layer_" + i + "/w", theta, init, shape));
        stepFeeds.add(tf.placeholder(TFloat32.class));
        Placeholder<TFloat32> value = tf.placeholder(TFloat32.class);
        setFeeds.add(value);
        set.add(tf.assign(theta, value));
      }
      rule =
          (Metaplasticity)
              new Metaplasticity.Config(M, reference)
                  .attach(new RuleConfig.Attachment(registry, parameters));
      // Identities, so that a step passed through unchanged (the fed placeholder) can be fetched.
      // Metaplasticity reads no loss: any scalar will do.
      transformed =
          rule
              .transformSteps(
                  new StepTransform.Context(tf, new ArrayList<>(stepFeeds), tf.constant(0f)))
              .stream()
              .<Operand<TFloat32>>map(tf::identity)
              .toList();
      for (int i = 0; i < SHAPES.length; i++) {
        apply.add(tf.assignSub(parameters.get(i).variable(), transformed.get(i)));
      }
      Ops scope = registry.scope(Metaplasticity.NAME);
      consolidate = rule.consolidate(new Consolidation.Context(scope));
      rebase = rule.rebase(new Rebase.Context(scope));
      session = new Session(graph);
    }

    double[] read(Operand<TFloat32> operand) {
      return TestTensors.read(session, operand);
    }

    double[] theta(int i) {
      return read(rule.parameters().get(i).variable());
    }

    /** Feeds the steps, fetches the transformed steps and applies them in the same run. */
    List<double[]> step(List<double[]> steps) {
      List<TFloat32> fed = new ArrayList<>();
      try {
        var runner = session.runner();
        for (int i = 0; i < SHAPES.length; i++) {
          TFloat32 t = tensor(steps.get(i), SHAPES[i]);
          fed.add(t);
          runner.feed(stepFeeds.get(i), t).fetch(transformed.get(i));
        }
        apply.forEach(runner::addTarget);
        List<double[]> out = new ArrayList<>();
        try (var result = runner.run()) {
          for (int i = 0; i < SHAPES.length; i++) {
            TFloat32 t = (TFloat32) result.get(i);
            float[] values = new float[(int) t.shape().size()];
            t.asRawTensor().data().asFloats().read(values);
            double[] d = new double[values.length];
            for (int k = 0; k < d.length; k++) {
              d[k] = values[k];
            }
            out.add(d);
          }
        }
        return out;
      } finally {
        fed.forEach(TFloat32::close);
      }
    }

    void setTheta(int i, double[] values) {
      try (TFloat32 t = tensor(values, SHAPES[i])) {
        session.runner().feed(setFeeds.get(i), t).addTarget(set.get(i)).run().close();
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /** f_meta(m, w) = 1 − tanh²(m·w), in double. */
  private static double fMeta(double w) {
    double t = Math.tanh(M * w);
    return 1 - t * t;
  }

  /**
   * The paper's rule on hidden weights: a step that pushes W toward zero (−step opposite in sign to
   * W, i.e. step and W of the same sign) is scaled by f_meta(W); others pass unchanged.
   */
  private static double expectedZeroStep(double step, double w) {
    boolean towardZero = w != 0 && Math.signum(step) == Math.signum(w);
    return towardZero ? step * fMeta(w) : step;
  }

  /** Anchor variant: with d = θ − θ*, a step moving θ away from θ* is scaled by f_meta(d). */
  private static double expectedAnchorStep(double step, double d) {
    boolean away = d != 0 && step != 0 && Math.signum(step) == -Math.signum(d);
    return away ? step * fMeta(d) : step;
  }

  @Test
  void zeroReferenceScalesStepsTowardZeroOfWeightMatricesOnly() {
    try (Fixture f = new Fixture(Reference.ZERO, 1.0)) {
      assertTrue(f.rule.state().isEmpty(), "the paper's rule keeps no state");
      Random random = new Random(7);
      int attenuated = 0;
      int passed = 0;
      for (int task = 0; task < 2; task++) {
        for (int s = 0; s < 4; s++) {
          List<double[]> theta = new ArrayList<>();
          List<double[]> steps = new ArrayList<>();
          for (int i = 0; i < SHAPES.length; i++) {
            theta.add(f.theta(i));
            steps.add(randomArray(random, theta.get(i).length, 0.3));
          }
          List<double[]> got = f.step(steps);
          for (int i = 0; i < SHAPES.length; i++) {
            double[] expected = new double[steps.get(i).length];
            double[] after = new double[expected.length];
            for (int k = 0; k < expected.length; k++) {
              double step = steps.get(i)[k];
              expected[k] = i == 1 ? step : expectedZeroStep(step, theta.get(i)[k]);
              if (i != 1 && expected[k] != step) {
                attenuated++;
              } else if (i != 1) {
                passed++;
              }
              after[k] = (float) (theta.get(i)[k] - (float) expected[k]);
            }
            assertClose(expected, got.get(i), "step of layer_" + i);
            assertClose(after, f.theta(i), "theta of layer_" + i);
          }
        }
        // A task boundary changes nothing: the rule keeps no state.
        assertTrue(f.consolidate.isEmpty() && f.rebase.isEmpty());
      }
      assertTrue(attenuated > 10 && passed > 10, attenuated + " attenuated, " + passed + " passed");
    }
  }

  @Test
  void anchorReferenceLeavesLearningAloneUntilTheFirstBoundaryThenBoundsDrift() {
    try (Fixture f = new Fixture(Reference.ANCHOR, 1.0)) {
      assertEquals(
          List.of(
              "meta/layer_0/w/anchor",
              "meta/layer_0/w/consolidated",
              "meta/layer_2/w/anchor",
              "meta/layer_2/w/consolidated"),
          f.rule.state().stream().map(StateVariable::name).toList());
      Random random = new Random(11);
      double[][] anchor = new double[SHAPES.length][];
      boolean consolidated = false;
      int attenuated = 0;
      for (int task = 0; task < 3; task++) {
        for (int s = 0; s < 5; s++) {
          List<double[]> theta = new ArrayList<>();
          List<double[]> steps = new ArrayList<>();
          for (int i = 0; i < SHAPES.length; i++) {
            theta.add(f.theta(i));
            steps.add(randomArray(random, theta.get(i).length, 0.4));
          }
          List<double[]> got = f.step(steps);
          for (int i = 0; i < SHAPES.length; i++) {
            double[] expected = new double[steps.get(i).length];
            for (int k = 0; k < expected.length; k++) {
              double step = steps.get(i)[k];
              boolean governed = i != 1;
              if (governed && consolidated) {
                expected[k] = expectedAnchorStep(step, theta.get(i)[k] - anchor[i][k]);
                attenuated += expected[k] != step ? 1 : 0;
              } else {
                expected[k] = step;
              }
            }
            assertClose(expected, got.get(i), "task " + task + " step of layer_" + i);
          }
        }
        TestTensors.runAll(f.session, f.consolidate);
        consolidated = true;
        for (int i = 0; i < SHAPES.length; i++) {
          anchor[i] = f.theta(i);
        }
        assertClose(anchor[0], f.read(f.rule.state().get(0).variable()), "anchor after boundary");
        assertClose(new double[] {1}, f.read(f.rule.state().get(1).variable()), "consolidated");
      }
      assertTrue(attenuated > 10, attenuated + " attenuated");

      // Rebase moves the anchor to weights set from outside and keeps the flag.
      double[] moved = randomArray(random, 12, 2.0);
      f.setTheta(0, moved);
      TestTensors.runAll(f.session, f.rebase);
      assertClose(moved, f.read(f.rule.state().get(0).variable()), "anchor after rebase");
      assertClose(new double[] {1}, f.read(f.rule.state().get(1).variable()), "flag after rebase");
    }
  }

  /** A step moving a synapse away from its anchor shrinks the further it already drifted. */
  @Test
  void anchorAttenuationGrowsWithDistance() {
    try (Fixture f = new Fixture(Reference.ANCHOR, 0.0)) {
      TestTensors.runAll(f.session, f.consolidate); // anchor = 0 everywhere
      double[] drift = new double[12];
      for (int k = 0; k < drift.length; k++) {
        drift[k] = 0.25 * k;
      }
      f.setTheta(0, drift);
      double[] away = new double[12];
      double[] back = new double[12];
      java.util.Arrays.fill(away, -0.01); // θ − step grows θ: away from the anchor at 0
      java.util.Arrays.fill(back, 0.01);
      double[] awaySteps = f.step(List.of(away, new double[4], new double[8])).get(0);
      f.setTheta(0, drift);
      double[] backSteps = f.step(List.of(back, new double[4], new double[8])).get(0);
      for (int k = 1; k < drift.length; k++) {
        assertTrue(Math.abs(awaySteps[k]) < Math.abs(awaySteps[k - 1]), "k=" + k);
        assertEquals(0.01, backSteps[k], 1e-9, "moves back toward the anchor pass unchanged");
      }
    }
  }

  @Test
  void hasNoPenalty() {
    try (Fixture f = new Fixture(Reference.ZERO, 1.0)) {
      ConsolidationRule rule = f.rule;
      assertFalse(rule instanceof Penalty);
      assertTrue(rule instanceof StepTransform);
    }
  }

  @Test
  void validatesAndRoundTripsHyperparameters() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new Metaplasticity.Config(-1, Reference.ZERO));
    assertEquals("metaplasticity m must be finite and >= 0, got -1.0", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Metaplasticity.Config(Double.POSITIVE_INFINITY, Reference.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Metaplasticity.Config(Double.NaN, Reference.ZERO));
    assertThrows(IllegalArgumentException.class, () -> new Metaplasticity.Config(1, null));
    var bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> Metaplasticity.DESCRIPTOR.config(Map.of("m", 1.0, "reference", 2.0)));
    assertEquals(
        "rule meta: hyperparameter 'reference' must be 0 (zero) or 1 (anchor), got 2.0",
        bad.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Metaplasticity.DESCRIPTOR.config(Map.of("m", 1.0)));

    for (Metaplasticity.Config config :
        List.of(
            Metaplasticity.Config.PAPER_PERMUTED,
            Metaplasticity.Config.PAPER_SEQUENTIAL_DATASETS,
            new Metaplasticity.Config(0.5, Reference.ANCHOR))) {
      assertEquals(config, Rules.fromHyperparameters("meta", config.hyperparameters()));
    }
    assertEquals(
        Map.of("m", 1.35, "reference", 0.0),
        Metaplasticity.Config.PAPER_PERMUTED.hyperparameters());
  }
}
