package dev.metaplastic.ops;

import static dev.metaplastic.ops.PlainPlasticity.fetch;
import static dev.metaplastic.ops.PlainPlasticity.flat;
import static dev.metaplastic.ops.PlainPlasticity.matrix;
import static dev.metaplastic.ops.PlainPlasticity.output;
import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.tensor;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
 * Runs {@link HebbianPlasticity} over an unrolled episode (B = 3, in = 4, out = 5, five steps) and
 * compares every output and trace, for both variants and both {@link TraceProducts}, with a
 * plain-Java double computation of Miconi et al. (2018), eqs. (1)–(2) and Oja's rule; checks that
 * Oja's trace stays bounded, and that TensorFlow's gradients through the episode match finite
 * differences.
 */
class HebbianPlasticityTest {
  /**
   * The two trace updates of the paper, eq. (2) and Oja's, with each form of the output product.
   */
  enum Variant {
    PLAIN(false, TraceProducts.ELEMENTWISE),
    OJA(true, TraceProducts.ELEMENTWISE),
    PLAIN_BATCHED(false, TraceProducts.BATCHED),
    OJA_BATCHED(true, TraceProducts.BATCHED);

    final boolean oja;
    final TraceProducts products;

    Variant(boolean oja, TraceProducts products) {
      this.oja = oja;
      this.products = products;
    }

    Operand<TFloat32> update(
        Ops tf,
        Operand<TFloat32> hebb,
        Operand<TFloat32> pre,
        Operand<TFloat32> post,
        Operand<TFloat32> eta) {
      return !oja
          ? HebbianPlasticity.plainUpdate(tf, hebb, pre, post, eta)
          : HebbianPlasticity.ojaUpdate(tf, hebb, pre, post, eta);
    }
  }

  private static final int B = 3;
  private static final int IN = 4;
  private static final int OUT = 5;
  private static final int STEPS = 5;

  private static Graph graph;
  private static Session session;
  private static Placeholder<TFloat32> w;
  private static Placeholder<TFloat32> alpha;
  private static Placeholder<TFloat32> eta;
  private static final List<Placeholder<TFloat32>> xs = new ArrayList<>();
  private static final Map<Variant, List<Operand<TFloat32>>> outputs = new LinkedHashMap<>();
  private static final Map<Variant, List<Operand<TFloat32>>> traces = new LinkedHashMap<>();
  private static Placeholder<TFloat32> loneTrace;
  private static Placeholder<TFloat32> lonePre;
  private static Placeholder<TFloat32> lonePost;
  private static Operand<TFloat32> loneOja;
  private static Placeholder<TFloat32> lossWeights;
  private static Operand<TFloat32> loss;
  private static List<Operand<TFloat32>> lossGradients;

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    w = tf.placeholder(TFloat32.class);
    alpha = tf.placeholder(TFloat32.class);
    eta = tf.placeholder(TFloat32.class);
    for (int t = 0; t < STEPS; t++) {
      xs.add(tf.placeholder(TFloat32.class));
    }
    for (Variant variant : Variant.values()) {
      List<Operand<TFloat32>> ys = new ArrayList<>();
      List<Operand<TFloat32>> hs = new ArrayList<>();
      Operand<TFloat32> hebb =
          HebbianPlasticity.initialTrace(
              tf, tf.shape.size(tf.shape(xs.get(0)), tf.constant(0)), IN, OUT);
      for (int t = 0; t < STEPS; t++) {
        Operand<TFloat32> x = xs.get(t);
        Operand<TFloat32> y =
            tf.math.tanh(
                HebbianPlasticity.effectiveOutput(tf, x, w, alpha, hebb, variant.products));
        hebb = variant.update(tf, hebb, x, y, eta);
        ys.add(y);
        hs.add(hebb);
      }
      outputs.put(variant, ys);
      traces.put(variant, hs);
    }
    // Loss of the plain episode: Σ_t Σ c_t ⊙ y_t, for the gradient check.
    lossWeights = tf.placeholder(TFloat32.class);
    List<Operand<TFloat32>> terms = new ArrayList<>();
    List<Operand<TFloat32>> ys = outputs.get(Variant.PLAIN);
    for (int t = 0; t < STEPS; t++) {
      terms.add(
          Reductions.sumAll(
              tf, tf.math.mul(ys.get(t), tf.gather(lossWeights, tf.constant(t), tf.constant(0)))));
    }
    loss = tf.math.addN(terms);
    var grads = tf.gradients(loss, List.of(w, alpha, eta));
    lossGradients = List.of(grads.<TFloat32>dy(0), grads.<TFloat32>dy(1), grads.<TFloat32>dy(2));

    loneTrace = tf.placeholder(TFloat32.class);
    lonePre = tf.placeholder(TFloat32.class);
    lonePost = tf.placeholder(TFloat32.class);
    loneOja = HebbianPlasticity.ojaUpdate(tf, loneTrace, lonePre, lonePost, eta);
    session = new Session(graph);
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  /** The episode's inputs and parameters, rounded to float so both sides see the same values. */
  private record Episode(double[][] w, double[][] alpha, double eta, List<double[][]> xs) {
    static Episode random(long seed) {
      Random random = new Random(seed);
      double[][] w = matrix(randomArray(random, IN * OUT, 0.5), IN, OUT);
      double[][] alpha = matrix(randomArray(random, IN * OUT, 0.5), IN, OUT);
      List<double[][]> xs = new ArrayList<>();
      for (int t = 0; t < STEPS; t++) {
        xs.add(matrix(randomArray(random, B * IN, 1.0), B, IN));
      }
      return new Episode(w, alpha, (float) 0.3, xs);
    }

    Map<Operand<TFloat32>, TFloat32> feeds() {
      Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
      feeds.put(HebbianPlasticityTest.w, tensor(flat(this.w), new long[] {IN, OUT}));
      feeds.put(HebbianPlasticityTest.alpha, tensor(flat(this.alpha), new long[] {IN, OUT}));
      feeds.put(HebbianPlasticityTest.eta, tensor(new double[] {eta}, new long[] {}));
      for (int t = 0; t < STEPS; t++) {
        feeds.put(HebbianPlasticityTest.xs.get(t), tensor(flat(xs.get(t)), new long[] {B, IN}));
      }
      return feeds;
    }

    /** Outputs y_1 … y_T then traces Hebb_1 … Hebb_T, flattened, in double precision. */
    List<double[]> expected(Variant variant) {
      List<double[]> ys = new ArrayList<>();
      List<double[]> hs = new ArrayList<>();
      double[][][] hebb = PlainPlasticity.zeros(B, IN, OUT);
      for (double[][] x : xs) {
        // Eq. (1): y_j = tanh(Σ_i (w_ij + α_ij Hebb_ij) x_i).
        double[][] y = PlainPlasticity.tanh(output(x, w, alpha, hebb));
        double[][][] next = new double[B][IN][OUT];
        for (int b = 0; b < B; b++) {
          for (int i = 0; i < IN; i++) {
            for (int j = 0; j < OUT; j++) {
              double h = hebb[b][i][j];
              next[b][i][j] =
                  !variant.oja
                      // Eq. (2): Hebb ← η x_i y_j + (1 − η) Hebb.
                      ? eta * x[b][i] * y[b][j] + (1 - eta) * h
                      // Oja: Hebb ← Hebb + η y_j (x_i − y_j Hebb).
                      : h + eta * y[b][j] * (x[b][i] - y[b][j] * h);
            }
          }
        }
        hebb = next;
        ys.add(flat(y));
        hs.add(flat(hebb));
      }
      ys.addAll(hs);
      return ys;
    }
  }

  @Test
  void episodeMatchesPlainJavaForBothVariants() {
    for (long seed = 1; seed <= 3; seed++) {
      Episode episode = Episode.random(seed);
      for (Variant variant : Variant.values()) {
        List<Operand<TFloat32>> fetches = new ArrayList<>(outputs.get(variant));
        fetches.addAll(traces.get(variant));
        List<double[]> actual = fetch(session, episode.feeds(), fetches);
        List<double[]> expected = episode.expected(variant);
        for (int k = 0; k < fetches.size(); k++) {
          String what = variant + (k < STEPS ? " y_" + (k + 1) : " hebb_" + (k - STEPS + 1));
          assertClose(expected.get(k), actual.get(k), what);
        }
        assertTrue(
            java.util.Arrays.stream(actual.get(2 * STEPS - 1)).anyMatch(v -> Math.abs(v) > 1e-2),
            "the trace should have moved");
      }
    }
  }

  /**
   * With fixed activity Oja's trace converges to x_i / y_j and never leaves the hull of its start
   * and that fixed point, where a decay-free Hebbian sum would grow by η x_i y_j at every step.
   */
  @Test
  void ojaTraceStaysBoundedAndConvergesUnderFixedActivity() {
    Random random = new Random(5);
    double etaValue = (float) 0.4;
    double[] pre = randomArray(random, B * IN, 1.0);
    double[] post = new double[B * OUT];
    for (int k = 0; k < post.length; k++) {
      post[k] = (float) ((0.5 + 0.5 * random.nextDouble()) * (random.nextBoolean() ? 1 : -1));
    }
    double[] hebb = randomArray(random, B * IN * OUT, 2.0);
    double[] start = hebb.clone();
    double[] fixedPoint = new double[hebb.length];
    for (int b = 0; b < B; b++) {
      for (int i = 0; i < IN; i++) {
        for (int j = 0; j < OUT; j++) {
          fixedPoint[(b * IN + i) * OUT + j] = pre[b * IN + i] / post[b * OUT + j];
        }
      }
    }
    for (int step = 0; step < 200; step++) {
      Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
      feeds.put(loneTrace, tensor(hebb, new long[] {B, IN, OUT}));
      feeds.put(lonePre, tensor(pre, new long[] {B, IN}));
      feeds.put(lonePost, tensor(post, new long[] {B, OUT}));
      feeds.put(eta, tensor(new double[] {etaValue}, new long[] {}));
      double[] actual = fetch(session, feeds, List.of(loneOja)).get(0);
      double[] expected = new double[hebb.length];
      for (int b = 0; b < B; b++) {
        for (int i = 0; i < IN; i++) {
          for (int j = 0; j < OUT; j++) {
            int k = (b * IN + i) * OUT + j;
            double y = post[b * OUT + j];
            expected[k] = hebb[k] + etaValue * y * (pre[b * IN + i] - y * hebb[k]);
          }
        }
      }
      assertClose(expected, actual, "oja step " + step);
      for (int k = 0; k < actual.length; k++) {
        double bound = Math.max(Math.abs(start[k]), Math.abs(fixedPoint[k])) + 1e-5;
        assertTrue(Math.abs(actual[k]) <= bound, "trace out of bounds at step " + step);
      }
      hebb = actual;
    }
    assertClose(fixedPoint, hebb, 1e-4, "oja fixed point x_i / y_j");
  }

  /**
   * The cell will learn W, α and η by backpropagation through the episode: TensorFlow's gradients
   * of a loss over the unrolled plain episode equal central finite differences of the plain-Java
   * episode (tolerance 1e-3, float gradients against double differences).
   */
  @Test
  void gradientsThroughTheEpisodeMatchFiniteDifferences() {
    Episode episode = Episode.random(11);
    double[] c = randomArray(new Random(12), STEPS * B * OUT, 1.0);
    Map<Operand<TFloat32>, TFloat32> feeds = episode.feeds();
    feeds.put(lossWeights, tensor(c, new long[] {STEPS, B, OUT}));
    List<double[]> actual = fetch(session, feeds, lossGradients);
    double h = 1e-6;
    double[] dw = new double[IN * OUT];
    double[] dalpha = new double[IN * OUT];
    for (int row = 0; row < IN; row++) {
      for (int col = 0; col < OUT; col++) {
        int i = row;
        int j = col;
        dw[i * OUT + j] = difference(episode, c, h, (e, s) -> e.w[i][j] += s);
        dalpha[i * OUT + j] = difference(episode, c, h, (e, s) -> e.alpha[i][j] += s);
      }
    }
    assertClose(dw, actual.get(0), 1e-3, "dL/dW");
    assertClose(dalpha, actual.get(1), 1e-3, "dL/dalpha");
    double up = loss(new Episode(episode.w, episode.alpha, episode.eta + h, episode.xs), c);
    double down = loss(new Episode(episode.w, episode.alpha, episode.eta - h, episode.xs), c);
    assertClose(new double[] {(up - down) / (2 * h)}, actual.get(2), 1e-3, "dL/deta");
  }

  private interface Nudge {
    void apply(Episode episode, double step);
  }

  private static double difference(Episode episode, double[] c, double h, Nudge nudge) {
    nudge.apply(episode, h);
    double up = loss(episode, c);
    nudge.apply(episode, -2 * h);
    double down = loss(episode, c);
    nudge.apply(episode, h);
    return (up - down) / (2 * h);
  }

  private static double loss(Episode episode, double[] c) {
    List<double[]> ys = episode.expected(Variant.PLAIN).subList(0, STEPS);
    double sum = 0;
    for (int t = 0; t < STEPS; t++) {
      for (int k = 0; k < B * OUT; k++) {
        sum += c[t * B * OUT + k] * ys.get(t)[k];
      }
    }
    return sum;
  }
}
