package dev.metaplastic.ops;

import static dev.metaplastic.ops.PlainPlasticity.clip;
import static dev.metaplastic.ops.PlainPlasticity.fetch;
import static dev.metaplastic.ops.PlainPlasticity.flat;
import static dev.metaplastic.ops.PlainPlasticity.matrix;
import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
 * Runs {@link Neuromodulators} over an unrolled sequence of outcomes (B = 3, in = 4, out = 5, six
 * steps) with each subset of modulators the study compares, and checks every state value (f, u, s),
 * noradrenaline's ν, the trace's rate, the trace itself and serotonin's inhibited evidence against
 * a plain-Java double computation of the equations of {@link Dopamine}, {@link Noradrenaline},
 * {@link Acetylcholine} and {@link Serotonin}.
 */
class NeuromodulatorsTest {
  private static final int B = 3;
  private static final int IN = 4;
  private static final int OUT = 5;
  private static final int STEPS = 6;
  private static final float CLIP = 1f;
  private static final Neuromodulators.Config CONSTANTS =
      new Neuromodulators.Config(
          EnumSet.noneOf(Modulator.class), 0.6, 0.1, 3.0, 0.7, 1.5, 0.2, 2.5);
  private static final List<Set<Modulator>> SUBSETS =
      List.of(
          Modulator.parse("none"),
          Modulator.parse("da"),
          Modulator.parse("da+na"),
          Modulator.parse("da+na+ach"),
          Modulator.parse("da+na+ach+5ht"),
          Modulator.parse("na+ach"));

  private static Graph graph;
  private static Session session;
  private static Placeholder<TFloat32> eta;
  private static final List<Placeholder<TFloat32>> pres = new ArrayList<>();
  private static final List<Placeholder<TFloat32>> posts = new ArrayList<>();
  private static final List<Placeholder<TFloat32>> errors = new ArrayList<>();
  private static final List<Placeholder<TFloat32>> evidences = new ArrayList<>();
  // Per subset, per step: f, u, s, nu, rate, trace, evidence.
  private static final List<List<Operand<TFloat32>>> fetches = new ArrayList<>();

  @BeforeAll
  static void buildGraph() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    eta = tf.placeholder(TFloat32.class);
    for (int t = 0; t < STEPS; t++) {
      pres.add(tf.placeholder(TFloat32.class));
      posts.add(tf.placeholder(TFloat32.class));
      errors.add(tf.placeholder(TFloat32.class));
      evidences.add(tf.placeholder(TFloat32.class));
    }
    for (Set<Modulator> subset : SUBSETS) {
      Neuromodulators.Config config = CONSTANTS.withActive(subset);
      Neuromodulators.State state = Neuromodulators.initial(tf, errors.get(0));
      Operand<TFloat32> hebb = tf.zeros(tf.constant(new long[] {B, IN, OUT}), TFloat32.class);
      List<Operand<TFloat32>> out = new ArrayList<>();
      for (int t = 0; t < STEPS; t++) {
        Operand<TFloat32> evidence =
            Neuromodulators.responseEvidence(tf, evidences.get(t), state, config);
        state = Neuromodulators.next(tf, state, errors.get(t), config);
        hebb =
            Neuromodulators.traceUpdate(
                tf, hebb, pres.get(t), posts.get(t), errors.get(t), state, eta, config, CLIP);
        out.addAll(
            List.of(
                state.recent(),
                state.expected(),
                state.aversive(),
                Neuromodulators.surprise(tf, state),
                Neuromodulators.rate(tf, eta, state, config),
                hebb,
                tf.identity(evidence)));
      }
      fetches.add(out);
    }
    session = new Session(graph);
  }

  @AfterAll
  static void close() {
    session.close();
    graph.close();
  }

  @Test
  void everySubsetMatchesPlainJava() {
    Random random = new Random(16);
    double etaValue = (float) 0.35;
    List<double[][]> pre = new ArrayList<>();
    List<double[][]> post = new ArrayList<>();
    List<double[]> delta = new ArrayList<>();
    List<double[]> evidence = new ArrayList<>();
    for (int t = 0; t < STEPS; t++) {
      pre.add(matrix(randomArray(random, B * IN, 1.0), B, IN));
      post.add(matrix(randomArray(random, B * OUT, 1.0), B, OUT));
      // Small errors first, then large ones: a "reversal" at step 3.
      delta.add(randomArray(random, B, t < 3 ? 0.2 : 2.0));
      evidence.add(randomArray(random, B, 1.0));
    }
    List<Operand<TFloat32>> all = new ArrayList<>();
    fetches.forEach(all::addAll);
    Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
    feeds.put(eta, tensor(new double[] {etaValue}, new long[] {}));
    for (int t = 0; t < STEPS; t++) {
      feeds.put(pres.get(t), tensor(flat(pre.get(t)), new long[] {B, IN}));
      feeds.put(posts.get(t), tensor(flat(post.get(t)), new long[] {B, OUT}));
      feeds.put(errors.get(t), tensor(delta.get(t), new long[] {B}));
      feeds.put(evidences.get(t), tensor(evidence.get(t), new long[] {B}));
    }
    List<double[]> actual = fetch(session, feeds, all);

    int clipped = 0;
    double maxSurprise = 0;
    for (int k = 0; k < SUBSETS.size(); k++) {
      Neuromodulators.Config c = CONSTANTS.withActive(SUBSETS.get(k));
      boolean da = c.acts(Modulator.DOPAMINE);
      boolean na = c.acts(Modulator.NORADRENALINE);
      boolean ach = c.acts(Modulator.ACETYLCHOLINE);
      boolean serotonin = c.acts(Modulator.SEROTONIN);
      double[] f = new double[B];
      double[] u = new double[B];
      double[] s = new double[B];
      double[][][] hebb = new double[B][IN][OUT];
      for (int t = 0; t < STEPS; t++) {
        double[] nu = new double[B];
        double[] rate = new double[B];
        double[] inhibited = new double[B];
        for (int b = 0; b < B; b++) {
          double d = delta.get(t)[b];
          inhibited[b] = evidence.get(t)[b] - (serotonin ? c.inhibition() * s[b] : 0);
          f[b] += c.fastRate() * (d * d - f[b]);
          u[b] += c.slowRate() * (d * d - u[b]);
          s[b] += c.aversiveRate() * (Math.max(0, -d) - s[b]);
          nu[b] = Math.max(0, f[b] - u[b]) / (f[b] + 1e-6);
          maxSurprise = Math.max(maxSurprise, nu[b]);
          rate[b] =
              etaValue
                  * (na ? 1 + c.gainSlope() * nu[b] : 1)
                  / (ach ? 1 + c.trustSlope() * u[b] : 1);
          double kept = (da ? 1 : 1 - rate[b]) * (na ? 1 - c.reset() * nu[b] : 1);
          double m = da ? d : 1;
          for (int i = 0; i < IN; i++) {
            for (int j = 0; j < OUT; j++) {
              double raw =
                  kept * hebb[b][i][j] + rate[b] * m * pre.get(t)[b][i] * post.get(t)[b][j];
              clipped += Math.abs(raw) > CLIP ? 1 : 0;
              hebb[b][i][j] = clip(raw, CLIP);
            }
          }
        }
        List<double[]> expected =
            List.of(f.clone(), u.clone(), s.clone(), nu, rate, flat(hebb), inhibited);
        String[] what = {"f", "u", "s", "nu", "rate", "trace", "evidence"};
        for (int q = 0; q < expected.size(); q++) {
          assertClose(
              expected.get(q),
              actual.get(k * 7 * STEPS + 7 * t + q),
              what[q] + " of " + Modulator.describe(c.active()) + " at step " + (t + 1));
        }
      }
    }
    assertTrue(clipped > 0, "the clip should bite at least once");
    assertTrue(maxSurprise > 0.5, "the jump of the errors should surprise, max nu " + maxSurprise);
  }

  @Test
  void modulatorListsParseAndPrint() {
    assertEquals(Set.of(), Modulator.parse("none"));
    assertEquals(
        EnumSet.of(Modulator.DOPAMINE, Modulator.NORADRENALINE, Modulator.SEROTONIN),
        Modulator.parse("5ht+DA+na"));
    assertEquals("da+na+5ht", Modulator.describe(Modulator.parse("5ht+da+na")));
    assertEquals("none", Modulator.describe(Set.of()));
    var unknown = assertThrows(IllegalArgumentException.class, () -> Modulator.parse("da+gaba"));
    assertEquals(
        "unknown neuromodulator 'gaba'; expected da, na, ach or 5ht", unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Modulator.parse("da+da"));
  }

  @Test
  void configRejectsBadConstants() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Neuromodulators.Config(Set.of(), 0.5, 0.5, 1, 0.5, 1, 0.1, 1));
    assertEquals("slow rate beta_slow must be in (0, beta_fast = 0.5), got 0.5", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Neuromodulators.Config(Set.of(), 0.5, 0.05, 1, 1.5, 1, 0.1, 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Neuromodulators.Config(Set.of(), 0.5, 0.05, -1, 0.5, 1, 0.1, 1));
    assertEquals(
        "da+na (beta_fast=0.5, beta_slow=0.05, kappa_na=2.0, rho=0.5, kappa_ach=2.0,"
            + " beta_5ht=0.05, kappa_5ht=2.0)",
        Neuromodulators.Config.NONE.withActive(Modulator.parse("na+da")).toString());
  }
}
