package dev.metaplastic.ops;

import static dev.metaplastic.ops.PlainPlasticity.clip;
import static dev.metaplastic.ops.PlainPlasticity.fetch;
import static dev.metaplastic.ops.PlainPlasticity.flat;
import static dev.metaplastic.ops.PlainPlasticity.matrix;
import static dev.metaplastic.ops.PlainPlasticity.output;
import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.tensor;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Runs {@link Neuromodulation} over an unrolled episode (B = 3, in = 4, out = 5, five steps):
 * simple neuromodulation driven by a large external modulator (so the clip bites), and retroactive
 * neuromodulation driven by the reward-prediction error r − V of a running baseline, with the
 * eligibility rate gated by the noradrenaline-like gain of |r − V|. Every output, trace,
 * eligibility trace, baseline, error and gain is compared with a plain-Java double computation of
 * Backpropamine's eqs. (1)–(4) and the gates.
 */
class NeuromodulationTest {
  private static final int B = 3;
  private static final int IN = 4;
  private static final int OUT = 5;
  private static final int STEPS = 5;
  private static final float CLIP = 1f;
  private static final float BETA = 0.3f;
  private static final float KAPPA = 2f;
  private static final float MAX_GAIN = 1.8f;

  private static Graph graph;
  private static Session session;
  private static Placeholder<TFloat32> w;
  private static Placeholder<TFloat32> alpha;
  private static Placeholder<TFloat32> eta;
  private static final List<Placeholder<TFloat32>> xs = new ArrayList<>();
  private static final List<Placeholder<TFloat32>> modulators = new ArrayList<>();
  private static final List<Placeholder<TFloat32>> rewards = new ArrayList<>();
  // Values fetched per step: see the fetches added in buildGraph.
  private static final int FETCHES = 10;
  private static final List<Operand<TFloat32>> fetches = new ArrayList<>();
  private static Placeholder<TFloat32> surprises;
  private static Operand<TFloat32> gains;

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    w = tf.placeholder(TFloat32.class);
    alpha = tf.placeholder(TFloat32.class);
    eta = tf.placeholder(TFloat32.class);
    Operand<TFloat32> simple = tf.zeros(tf.constant(new long[] {B, IN, OUT}), TFloat32.class);
    Operand<TFloat32> hebb = simple;
    Operand<TFloat32> eligibility = simple;
    Operand<TFloat32> batched = simple;
    Operand<TFloat32> baseline = tf.zeros(tf.constant(new long[] {B}), TFloat32.class);
    for (int t = 0; t < STEPS; t++) {
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> m = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> r = tf.placeholder(TFloat32.class);
      xs.add(x);
      modulators.add(m);
      rewards.add(r);
      // (a) simple neuromodulation, eq. (2), with an external modulator.
      Operand<TFloat32> ySimple =
          tf.math.tanh(
              HebbianPlasticity.effectiveOutput(
                  tf, x, w, alpha, simple, TraceProducts.ELEMENTWISE));
      simple =
          Neuromodulation.simpleUpdate(tf, simple, x, ySimple, m, CLIP, TraceProducts.ELEMENTWISE);
      // (a') the same with batched products.
      Operand<TFloat32> yBatched =
          tf.math.tanh(
              HebbianPlasticity.effectiveOutput(tf, x, w, alpha, batched, TraceProducts.BATCHED));
      batched =
          Neuromodulation.simpleUpdate(tf, batched, x, yBatched, m, CLIP, TraceProducts.BATCHED);
      // (b) retroactive, eqs. (3)–(4), modulated by the reward-prediction error.
      Operand<TFloat32> y =
          tf.math.tanh(
              HebbianPlasticity.effectiveOutput(tf, x, w, alpha, hebb, TraceProducts.ELEMENTWISE));
      Operand<TFloat32> delta = Neuromodulation.rewardPredictionError(tf, r, baseline);
      Operand<TFloat32> gain =
          Neuromodulation.gain(tf, Neuromodulation.surprise(tf, delta), KAPPA, MAX_GAIN);
      Operand<TFloat32> rate =
          Neuromodulation.perExample(tf, Neuromodulation.gatedRate(tf, eta, gain));
      hebb = Neuromodulation.retroactiveUpdate(tf, hebb, eligibility, delta, CLIP);
      eligibility = Neuromodulation.eligibilityUpdate(tf, eligibility, x, y, rate);
      baseline = Neuromodulation.baselineUpdate(tf, baseline, r, BETA);
      fetches.addAll(
          List.of(ySimple, simple, y, hebb, eligibility, delta, gain, baseline, yBatched, batched));
    }
    surprises = tf.placeholder(TFloat32.class);
    gains = Neuromodulation.gain(tf, surprises, KAPPA, MAX_GAIN);
    session = new Session(graph);
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  @Test
  void episodeMatchesPlainJava() {
    Random random = new Random(3);
    double[][] wv = matrix(randomArray(random, IN * OUT, 0.5), IN, OUT);
    double[][] av = matrix(randomArray(random, IN * OUT, 0.5), IN, OUT);
    double etaValue = (float) 0.4;
    Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
    feeds.put(w, tensor(flat(wv), new long[] {IN, OUT}));
    feeds.put(alpha, tensor(flat(av), new long[] {IN, OUT}));
    feeds.put(eta, tensor(new double[] {etaValue}, new long[] {}));
    List<double[][]> xv = new ArrayList<>();
    List<double[]> mv = new ArrayList<>();
    List<double[]> rv = new ArrayList<>();
    for (int t = 0; t < STEPS; t++) {
      xv.add(matrix(randomArray(random, B * IN, 1.5), B, IN));
      mv.add(randomArray(random, B, 3.0));
      rv.add(randomArray(random, B, 1.0));
      feeds.put(xs.get(t), tensor(flat(xv.get(t)), new long[] {B, IN}));
      feeds.put(modulators.get(t), tensor(mv.get(t), new long[] {B}));
      feeds.put(rewards.get(t), tensor(rv.get(t), new long[] {B}));
    }
    List<double[]> actual = fetch(session, feeds, fetches);

    double[][][] simple = new double[B][IN][OUT];
    double[][][] hebb = new double[B][IN][OUT];
    double[][][] e = new double[B][IN][OUT];
    double[] v = new double[B];
    int clipped = 0;
    for (int t = 0; t < STEPS; t++) {
      double[][] x = xv.get(t);
      double[][] ySimple = PlainPlasticity.tanh(output(x, wv, av, simple));
      double[][] y = PlainPlasticity.tanh(output(x, wv, av, hebb));
      double[] delta = new double[B];
      double[] gain = new double[B];
      double[][][] nextSimple = new double[B][IN][OUT];
      double[][][] nextHebb = new double[B][IN][OUT];
      double[][][] nextE = new double[B][IN][OUT];
      for (int b = 0; b < B; b++) {
        delta[b] = rv.get(t)[b] - v[b];
        gain[b] = Math.min(Math.max(1 + KAPPA * Math.abs(delta[b]), 1), MAX_GAIN);
        double rate = etaValue * gain[b];
        for (int i = 0; i < IN; i++) {
          for (int j = 0; j < OUT; j++) {
            double raw = simple[b][i][j] + mv.get(t)[b] * x[b][i] * ySimple[b][j];
            clipped += Math.abs(raw) > CLIP ? 1 : 0;
            nextSimple[b][i][j] = clip(raw, CLIP);
            nextHebb[b][i][j] = clip(hebb[b][i][j] + delta[b] * e[b][i][j], CLIP);
            nextE[b][i][j] = (1 - rate) * e[b][i][j] + rate * x[b][i] * y[b][j];
          }
        }
        v[b] = v[b] + BETA * (rv.get(t)[b] - v[b]);
      }
      simple = nextSimple;
      hebb = nextHebb;
      e = nextE;
      List<double[]> expected =
          List.of(
              flat(ySimple),
              flat(simple),
              flat(y),
              flat(hebb),
              flat(e),
              delta,
              gain,
              v.clone(),
              flat(ySimple),
              flat(simple));
      String[] what = {
        "y simple",
        "hebb simple",
        "y",
        "hebb",
        "eligibility",
        "rpe",
        "gain",
        "V",
        "y simple, batched products",
        "hebb simple, batched products"
      };
      for (int k = 0; k < expected.size(); k++) {
        assertClose(expected.get(k), actual.get(FETCHES * t + k), what[k] + " at step " + (t + 1));
      }
    }
    assertTrue(clipped > 10, "the clip should bite, it bit " + clipped + " times");
    double[] lastSimple = actual.get(FETCHES * (STEPS - 1) + 1);
    assertTrue(Arrays.stream(lastSimple).allMatch(h -> Math.abs(h) <= CLIP));
    assertTrue(Arrays.stream(lastSimple).anyMatch(h -> Math.abs(h) == CLIP), "some trace at ±1");
    assertTrue(
        Arrays.stream(actual.get(FETCHES * (STEPS - 1) + 3)).anyMatch(h -> Math.abs(h) > 1e-3),
        "the retroactive trace should have moved");
  }

  @Test
  void gainIsOneWithoutSurpriseLinearThenCapped() {
    double[] s = {-1, 0, 0.1, 0.25, 10};
    Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
    feeds.put(surprises, tensor(s, new long[] {s.length}));
    double[] expected = {1, 1, 1 + KAPPA * (float) 0.1, 1 + KAPPA * 0.25, MAX_GAIN};
    assertClose(expected, fetch(session, feeds, List.of(gains)).get(0), "gain");
  }
}
