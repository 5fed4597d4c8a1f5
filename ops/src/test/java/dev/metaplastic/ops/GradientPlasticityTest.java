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
 * Runs {@link GradientPlasticity} over an unrolled episode (B = 3, in = 4, out = 5, five steps),
 * plain and modulated with the gradient-norm clip, and compares every output, loss, gradient and
 * fast weight with a plain-Java double computation; checks the closed-form gradient against
 * TensorFlow's symbolic one.
 */
class GradientPlasticityTest {
  private static final int B = 3;
  private static final int IN = 4;
  private static final int OUT = 5;
  private static final int STEPS = 5;
  private static final float MAX_NORM = 4f;

  private static Graph graph;
  private static Session session;
  private static Placeholder<TFloat32> w;
  private static Placeholder<TFloat32> eta;
  private static Placeholder<TFloat32> decay;
  private static final List<Placeholder<TFloat32>> pres = new ArrayList<>();
  private static final List<Placeholder<TFloat32>> targets = new ArrayList<>();
  private static final List<Placeholder<TFloat32>> modulations = new ArrayList<>();
  private static final List<Operand<TFloat32>> fetches = new ArrayList<>();
  private static Placeholder<TFloat32> loneFast;
  private static Operand<TFloat32> closedForm;
  private static Operand<TFloat32> symbolic;

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    w = tf.placeholder(TFloat32.class);
    eta = tf.placeholder(TFloat32.class);
    decay = tf.placeholder(TFloat32.class);
    Operand<TFloat32> plain = HebbianPlasticity.initialTrace(tf, tf.constant(B), IN, OUT);
    Operand<TFloat32> modulated = plain;
    for (int t = 0; t < STEPS; t++) {
      Placeholder<TFloat32> pre = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> target = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> m = tf.placeholder(TFloat32.class);
      pres.add(pre);
      targets.add(target);
      modulations.add(m);
      Operand<TFloat32> post = GradientPlasticity.effectiveOutput(tf, pre, w, plain);
      Operand<TFloat32> loss = GradientPlasticity.selfLoss(tf, post, target);
      Operand<TFloat32> grad = GradientPlasticity.selfLossGradient(tf, pre, post, target);
      plain = GradientPlasticity.update(tf, plain, grad, eta, decay);
      Operand<TFloat32> postM = GradientPlasticity.effectiveOutput(tf, pre, w, modulated);
      Operand<TFloat32> gradM = GradientPlasticity.selfLossGradient(tf, pre, postM, target);
      Operand<TFloat32> scale = GradientPlasticity.normClipScale(tf, gradM, MAX_NORM);
      modulated =
          GradientPlasticity.modulatedUpdate(
              tf, modulated, gradM, eta, decay, tf.math.mul(m, scale), m);
      fetches.addAll(List.of(post, loss, grad, plain, postM, scale, modulated));
    }
    loneFast = tf.placeholder(TFloat32.class);
    Operand<TFloat32> post = GradientPlasticity.effectiveOutput(tf, pres.get(0), w, loneFast);
    closedForm = GradientPlasticity.selfLossGradient(tf, pres.get(0), post, targets.get(0));
    Operand<TFloat32> total =
        Reductions.sumAll(tf, GradientPlasticity.selfLoss(tf, post, targets.get(0)));
    symbolic = tf.gradients(total, List.of(loneFast)).<TFloat32>dy(0);
    session = new Session(graph);
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  @Test
  void episodeMatchesPlainJava() {
    Random random = new Random(21);
    double[][] wv = matrix(randomArray(random, IN * OUT, 0.5), IN, OUT);
    double[][] etaV = new double[IN][OUT];
    for (int i = 0; i < IN; i++) {
      for (int j = 0; j < OUT; j++) {
        etaV[i][j] = (float) (0.05 + 0.2 * random.nextDouble());
      }
    }
    double lambda = (float) 0.1;
    Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
    feeds.put(w, tensor(flat(wv), new long[] {IN, OUT}));
    feeds.put(eta, tensor(flat(etaV), new long[] {IN, OUT}));
    feeds.put(decay, tensor(new double[] {lambda}, new long[] {}));
    List<double[][]> pv = new ArrayList<>();
    List<double[][]> tv = new ArrayList<>();
    List<double[]> mv = new ArrayList<>();
    for (int t = 0; t < STEPS; t++) {
      pv.add(matrix(randomArray(random, B * IN, 1.0), B, IN));
      tv.add(matrix(randomArray(random, B * OUT, 1.0), B, OUT));
      double[] m = new double[B];
      for (int b = 0; b < B; b++) {
        m[b] = (float) (2 / (1 + Math.exp(-random.nextGaussian()))); // 2σ(·), as in the paper
      }
      mv.add(m);
      feeds.put(pres.get(t), tensor(flat(pv.get(t)), new long[] {B, IN}));
      feeds.put(targets.get(t), tensor(flat(tv.get(t)), new long[] {B, OUT}));
      feeds.put(modulations.get(t), tensor(m, new long[] {B}));
    }
    List<double[]> actual = fetch(session, feeds, fetches);

    double[][][] fast = new double[B][IN][OUT];
    double[][][] fastM = new double[B][IN][OUT];
    int clippedExamples = 0;
    for (int t = 0; t < STEPS; t++) {
      double[][] pre = pv.get(t);
      double[][] target = tv.get(t);
      double[][] post = output(pre, wv, null, fast);
      double[][] postM = output(pre, wv, null, fastM);
      double[] loss = new double[B];
      double[][][] grad = new double[B][IN][OUT];
      double[][][] gradM = new double[B][IN][OUT];
      double[] scale = new double[B];
      for (int b = 0; b < B; b++) {
        double norm = 0;
        for (int j = 0; j < OUT; j++) {
          double err = target[b][j] - post[b][j];
          loss[b] += 0.5 * err * err;
          for (int i = 0; i < IN; i++) {
            grad[b][i][j] = -pre[b][i] * err;
            gradM[b][i][j] = -pre[b][i] * (target[b][j] - postM[b][j]);
            norm += gradM[b][i][j] * gradM[b][i][j];
          }
        }
        scale[b] = Math.min(1, MAX_NORM / Math.sqrt(norm));
        clippedExamples += scale[b] < 1 ? 1 : 0;
        double m = mv.get(t)[b];
        for (int i = 0; i < IN; i++) {
          for (int j = 0; j < OUT; j++) {
            fast[b][i][j] = (1 - lambda) * fast[b][i][j] - etaV[i][j] * grad[b][i][j];
            fastM[b][i][j] =
                (1 - lambda * m) * fastM[b][i][j] - m * scale[b] * etaV[i][j] * gradM[b][i][j];
          }
        }
      }
      List<double[]> expected =
          List.of(flat(post), loss, flat(grad), flat(fast), flat(postM), scale, flat(fastM));
      String[] what = {"post", "loss", "gradient", "fast", "post mod", "clip scale", "fast mod"};
      for (int k = 0; k < expected.size(); k++) {
        assertClose(expected.get(k), actual.get(7 * t + k), what[k] + " at step " + (t + 1));
      }
    }
    assertTrue(clippedExamples > 0, "the gradient clip should bite at least once");
    assertTrue(clippedExamples < B * STEPS, "the gradient clip should not bite always");
  }

  @Test
  void closedFormGradientEqualsSymbolicGradient() {
    Random random = new Random(4);
    Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
    feeds.put(w, tensor(randomArray(random, IN * OUT, 0.5), new long[] {IN, OUT}));
    feeds.put(loneFast, tensor(randomArray(random, B * IN * OUT, 0.3), new long[] {B, IN, OUT}));
    feeds.put(pres.get(0), tensor(randomArray(random, B * IN, 1.0), new long[] {B, IN}));
    feeds.put(targets.get(0), tensor(randomArray(random, B * OUT, 1.0), new long[] {B, OUT}));
    List<double[]> both = fetch(session, feeds, List.of(closedForm, symbolic));
    assertClose(both.get(1), both.get(0), "closed form vs tf.gradients");
  }
}
