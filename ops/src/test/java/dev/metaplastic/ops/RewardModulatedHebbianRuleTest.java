package dev.metaplastic.ops;

import static dev.metaplastic.ops.PlainPlasticity.clip;
import static dev.metaplastic.ops.PlainPlasticity.fetch;
import static dev.metaplastic.ops.PlainPlasticity.flat;
import static dev.metaplastic.ops.PlainPlasticity.matrix;
import static dev.metaplastic.ops.PlainPlasticity.output;
import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Runs {@link RewardModulatedHebbianRule} on a feed-forward plastic connection (B = 3, in = 4, out
 * = 5) over six steps, with a separate external input of three channels whose channel 1 carries the
 * reward, and compares every output and trace with a plain-Java double computation of the rule's
 * equations: V = pre·w_V + b_V, δ = r − V, g = clip(1 + κ|δ|, 1, g_max), Hebb ← clip(Hebb + g δ pre
 * ⊗ post, ±1).
 */
class RewardModulatedHebbianRuleTest {
  private static final int B = 3;
  private static final int IN = 4;
  private static final int OUT = 5;
  private static final int INPUTS = 3;
  private static final int CHANNEL = 1;
  private static final int STEPS = 6;

  @Test
  void episodeMatchesPlainJava() {
    Random random = new Random(11);
    double[] wv = randomArray(random, IN * OUT, 0.5);
    double[] av = randomArray(random, IN * OUT, 0.5);
    double[] valueKernel = randomArray(random, IN, 0.6);
    double valueBias = (float) 0.2;
    List<double[][]> pres = new ArrayList<>();
    List<double[][]> inputs = new ArrayList<>();
    for (int t = 0; t < STEPS; t++) {
      pres.add(matrix(randomArray(random, B * IN, 1.0), B, IN));
      inputs.add(matrix(randomArray(random, B * INPUTS, 1.5), B, INPUTS));
    }

    List<double[]> actual;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      Parameter w =
          InitialValue.glorotUniform(registry.root(), 1, 0, IN, OUT)
              .createParameter(registry, "layer/kernel");
      FastWeightRule rule =
          Rules.fastWeightRule(RewardModulatedHebbianRule.NAME)
              .attach(new FastWeightRule.Attachment(registry, w, 1, OptionalInt.of(CHANNEL)));
      List<Parameter> coefficients = rule.coefficients();
      assertEquals(
          List.of(
              "dopamine/layer/kernel/alpha",
              "dopamine/layer/kernel/value_kernel",
              "dopamine/layer/kernel/value_bias"),
          coefficients.stream().map(Parameter::name).toList());
      Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
      List<Op> assigns = new ArrayList<>();
      Ops set = tf.withSubScope("set");
      double[][] values = {wv, av, valueKernel, {valueBias}};
      List<Parameter> all = new ArrayList<>(List.of(w));
      all.addAll(coefficients);
      for (int k = 0; k < all.size(); k++) {
        Placeholder<TFloat32> value = set.placeholder(TFloat32.class);
        assigns.add(set.assign(all.get(k).variable(), value));
        feeds.put(value, tensor(values[k], all.get(k).shape().asArray()));
      }
      Operand<TFloat32> trace = rule.initialTrace(tf, tf.constant(B));
      List<Operand<TFloat32>> fetches = new ArrayList<>();
      Ops after = tf.withControlDependencies(assigns);
      for (int t = 0; t < STEPS; t++) {
        Placeholder<TFloat32> pre =
            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, IN)));
        Placeholder<TFloat32> x =
            tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, INPUTS)));
        feeds.put(pre, tensor(flat(pres.get(t)), new long[] {B, IN}));
        feeds.put(x, tensor(flat(inputs.get(t)), new long[] {B, INPUTS}));
        Operand<TFloat32> z =
            rule.effectiveOutput(
                new FastWeightRule.Output(after, after.identity(pre), w.variable(), trace));
        Operand<TFloat32> post = after.math.tanh(z);
        trace = rule.nextTrace(new FastWeightRule.Step(after, x, pre, post, z, trace));
        fetches.add(post);
        fetches.add(trace);
      }
      try (Session session = new Session(graph)) {
        actual = fetch(session, feeds, fetches);
      }
    }

    double[][] wm = matrix(wv, IN, OUT);
    double[][] am = matrix(av, IN, OUT);
    double[][][] hebb = new double[B][IN][OUT];
    int clipped = 0;
    int capped = 0;
    for (int t = 0; t < STEPS; t++) {
      double[][] pre = pres.get(t);
      double[][] post = PlainPlasticity.tanh(output(pre, wm, am, hebb));
      double[][][] next = new double[B][IN][OUT];
      for (int b = 0; b < B; b++) {
        double value = valueBias;
        for (int i = 0; i < IN; i++) {
          value += pre[b][i] * valueKernel[i];
        }
        double delta = inputs.get(t)[b][CHANNEL] - value;
        double gain =
            Math.min(
                Math.max(1 + RewardModulatedHebbianRule.GAIN_SLOPE * Math.abs(delta), 1),
                RewardModulatedHebbianRule.MAX_GAIN);
        capped += gain == RewardModulatedHebbianRule.MAX_GAIN ? 1 : 0;
        for (int i = 0; i < IN; i++) {
          for (int j = 0; j < OUT; j++) {
            double raw = hebb[b][i][j] + gain * delta * pre[b][i] * post[b][j];
            clipped += Math.abs(raw) > RewardModulatedHebbianRule.CLIP ? 1 : 0;
            next[b][i][j] = clip(raw, RewardModulatedHebbianRule.CLIP);
          }
        }
      }
      hebb = next;
      assertClose(flat(post), actual.get(2 * t), "post at step " + (t + 1));
      assertClose(flat(hebb), actual.get(2 * t + 1), "trace after step " + (t + 1));
    }
    assertTrue(clipped > 5, "the clip should bite, it bit " + clipped + " times");
    assertTrue(capped > 0 && capped < B * STEPS, "some gains capped at g_max, not all: " + capped);
  }

  @Test
  void needsTheInputAndAChannelInsideIt() {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry registry = new VariableRegistry(tf);
      Parameter w =
          InitialValue.glorotUniform(registry.root(), 1, 0, IN, OUT)
              .createParameter(registry, "layer/kernel");
      var missing =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  Rules.fastWeightRule(RewardModulatedHebbianRule.NAME)
                      .attach(new FastWeightRule.Attachment(registry, w, 1, OptionalInt.empty())));
      assertEquals(
          "fast-weight rule dopamine reads the reward from an input channel, but the input has no"
              + " reward channel (only tasks with reward or feedback, such as gonogo, have one)",
          missing.getMessage());
      var negative =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new RewardModulatedHebbianRule(
                      new FastWeightRule.Attachment(registry, w, 1, OptionalInt.of(-1))));
      assertEquals("reward channel must be an input index >= 0, got -1", negative.getMessage());

      FastWeightRule rule =
          new RewardModulatedHebbianRule(
              new FastWeightRule.Attachment(registry, w, 1, OptionalInt.of(3)));
      Operand<TFloat32> pre = tf.zeros(tf.constant(new long[] {B, IN}), TFloat32.class);
      Operand<TFloat32> post = tf.zeros(tf.constant(new long[] {B, OUT}), TFloat32.class);
      Operand<TFloat32> trace = rule.initialTrace(tf, tf.constant(B));
      Operand<TFloat32> narrow = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      var outside =
          assertThrows(
              IllegalArgumentException.class,
              () -> rule.nextTrace(new FastWeightRule.Step(tf, narrow, pre, post, post, trace)));
      assertEquals(
          "rule dopamine reads reward channel 3, but the input has shape [-1, 3]",
          outside.getMessage());
    }
  }
}
