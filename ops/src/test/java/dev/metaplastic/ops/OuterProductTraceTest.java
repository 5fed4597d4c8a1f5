package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.read;
import static dev.metaplastic.ops.TestTensors.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The factored form of the rules whose trace is a decaying sum of outer products is their own dense
 * equations: for random activities, pre-activations and traces, {@link FastWeightRule#nextTrace} of
 * {@link OuterProductTrace#trace}(F) is trace(F ⊙ d + pre ⊗ u), and the output through trace(F) is
 * pre·W + pre·(κ ⊙ F). (The dense equations themselves are checked against plain Java in the
 * equation classes' tests and through the plastic cell.)
 */
class OuterProductTraceTest {
  private static final int B = 3;
  private static final int IN = 4;
  private static final int OUT = 4;

  @Test
  void factoredFormIsTheDenseUpdateAndOutput() {
    List<String> factored = new ArrayList<>();
    for (FastWeightRuleDescriptor descriptor : Rules.fastWeight()) {
      String name = descriptor.name();
      try (Graph graph = new Graph()) {
        Ops tf = Ops.create(graph);
        VariableRegistry registry = new VariableRegistry(tf);
        Parameter w =
            InitialValue.glorotUniform(registry.root(), 1, 0, IN, OUT)
                .createParameter(registry, "layer/kernel");
        FastWeightRule rule =
            descriptor.attach(new FastWeightRule.Attachment(registry, w, 7, OptionalInt.of(0)));
        if (!(rule instanceof OuterProductTrace outer)) {
          continue;
        }
        factored.add(name);
        Random random = new Random(name.hashCode());
        Operand<TFloat32> x = constant(tf, randomArray(random, B * IN, 1), B, IN);
        Operand<TFloat32> pre = tf.math.tanh(constant(tf, randomArray(random, B * IN, 1), B, IN));
        Operand<TFloat32> z = constant(tf, randomArray(random, B * OUT, 1), B, OUT);
        Operand<TFloat32> post = tf.math.tanh(z);
        Operand<TFloat32> f = constant(tf, randomArray(random, B * IN * OUT, 0.3), B, IN, OUT);
        Operand<TFloat32> trace = outer.trace(tf, f);

        OuterProductTrace.Activity activity = new OuterProductTrace.Activity(tf, pre, post, z);
        Operand<TFloat32> d = outer.decay(activity);
        Operand<TFloat32> perColumn =
            d.shape().numDimensions() == 0 ? d : tf.expandDims(d, tf.constant(1));
        Operand<TFloat32> grown =
            tf.math.add(
                tf.math.mul(f, perColumn),
                HebbianPlasticity.outerProduct(tf, pre, outer.increment(activity)));
        Operand<TFloat32> dense =
            rule.nextTrace(new FastWeightRule.Step(tf, x, pre, post, z, trace));

        Operand<TFloat32> output =
            rule.effectiveOutput(new FastWeightRule.Output(tf, pre, w.variable(), trace));
        Operand<TFloat32> read =
            tf.math.add(
                tf.linalg.matMul(pre, w.variable()),
                HebbianPlasticity.plasticOutput(tf, pre, tf.math.mul(outer.coupling(), f)));
        try (Session session = new Session(graph)) {
          session.initialize();
          double[] expected = read(session, dense);
          assertClose(expected, read(session, outer.trace(tf, grown)), name + " next trace");
          assertTrue(maxAbs(expected) > 1e-2, name + ": the trace should be far from zero");
          assertClose(read(session, output), read(session, read), name + " output");
        }
      }
    }
    assertEquals(List.of("hebbian", "oja", "gradient"), factored);
  }

  /** The clip factor from the factors' norms is the one of the formed outer product. */
  @Test
  void clipScaleOfAnOuterProductNeedsOnlyItsFactors() {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Random random = new Random(3);
      Operand<TFloat32> a = constant(tf, randomArray(random, B * IN, 1), B, IN);
      Operand<TFloat32> e = constant(tf, randomArray(random, B * OUT, 1), B, OUT);
      double[] formed =
          read(
              session,
              GradientPlasticity.normClipScale(tf, HebbianPlasticity.outerProduct(tf, a, e), 1.5f));
      double[] factored = read(session, GradientPlasticity.outerNormClipScale(tf, a, e, 1.5f));
      assertClose(formed, factored, "clip scale");
      assertTrue(Arrays.stream(formed).anyMatch(s -> s < 1), "some rows should clip");
    }
  }

  private static Operand<TFloat32> constant(Ops tf, double[] values, long... shape) {
    try (TFloat32 t = tensor(values, shape)) {
      return tf.constantOf(t);
    }
  }

  private static double maxAbs(double[] values) {
    double m = 0;
    for (double v : values) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
