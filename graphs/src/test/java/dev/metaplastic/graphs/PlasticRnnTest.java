package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.RewardModulatedHebbianRule;
import dev.metaplastic.ops.TraceProducts;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Builds a small {@link PlasticRnn} (in 3, H 4, out 2, T 5) for every plasticity kind and compares
 * each step's logits, the final state and the final trace of a batch of two episodes with an
 * independent plain-Java double-precision unrolling of the cell's equations, from a zero start,
 * from a given state and trace, and one step per session call; checks TensorFlow's gradient through
 * the Hebbian episode against central finite differences; and trains a Hebbian cell on a tiny
 * associative-recall task with plain SGD.
 */
class PlasticRnnTest {
  private static final Plasticity HEBBIAN = new Plasticity("hebbian");
  private static final Plasticity OJA = new Plasticity("oja");
  private static final Plasticity NEUROMODULATED = new Plasticity("neuromodulated");
  private static final Plasticity GRADIENT = new Plasticity("gradient");
  private static final Plasticity DOPAMINE = new Plasticity("dopamine");

  /** The plasticities the plain-Java episode below writes out, the cell's every rule today. */
  private static final List<Plasticity> KINDS =
      List.of(Plasticity.NONE, HEBBIAN, OJA, NEUROMODULATED, GRADIENT, DOPAMINE);

  /** {@link #KINDS}, for the switches of the plain-Java episode. */
  private enum Kind {
    NONE,
    HEBBIAN,
    OJA,
    NEUROMODULATED,
    GRADIENT,
    DOPAMINE;

    static Kind of(Plasticity plasticity) {
      return valueOf(plasticity.toString());
    }
  }

  private static final int IN = 3;
  private static final int H = 4;
  private static final int OUT = 2;
  // Long enough for the episode from zero to span blocks of PlasticRnn's factored unroll.
  private static final int T = 2 * PlasticRnnSpec.DEFAULT_BLOCK_STEPS + 3;
  private static final int B = 2;
  private static final long SEED = 7;

  /** The input channel DOPAMINE reads its reward from (the other kinds ignore it). */
  private static final int REWARD_CHANNEL = 2;

  /** One graph per plasticity kind. */
  private record Built(
      Graph graph,
      Session session,
      PlasticRnn rnn,
      Placeholder<TFloat32> inputs,
      PlasticRnn.Episode fromZero,
      Placeholder<TFloat32> h0,
      Placeholder<TFloat32> trace0,
      PlasticRnn.Episode fromGiven,
      Placeholder<TFloat32> stepX,
      Placeholder<TFloat32> stepH,
      Placeholder<TFloat32> stepTrace,
      PlasticRnn.Step step,
      List<Placeholder<TFloat32>> newValues,
      List<Op> assigns,
      List<Operand<TFloat32>> lossGradients) {}

  private static final Map<Plasticity, Built> built = new LinkedHashMap<>();

  /** The cell of files written before blocks and batched products: step by step, elementwise. */
  private static final Map<Plasticity, Built> oldCells = new LinkedHashMap<>();

  // Gradient checks: loss = Σ C ⊙ logits over the episode from zero, its gradient per parameter.
  private static double[] lossWeights;

  @BeforeAll
  static void buildGraphs() {
    lossWeights = randomArray(new Random(99), B * T * OUT, 1.0);
    for (Plasticity plasticity : KINDS) {
      built.put(
          plasticity,
          build(
              new PlasticRnnSpec(IN, H, OUT, T, plasticity, SEED, OptionalInt.of(REWARD_CHANNEL))));
      if (plasticity != Plasticity.NONE) {
        oldCells.put(
            plasticity,
            build(
                new PlasticRnnSpec(
                    IN,
                    H,
                    OUT,
                    T,
                    plasticity,
                    SEED,
                    OptionalInt.of(REWARD_CHANNEL),
                    0,
                    TraceProducts.ELEMENTWISE)));
      }
    }
  }

  /** The graph of {@code spec}: its episodes, step, parameter setters and loss gradients. */
  private static Built build(PlasticRnnSpec spec) {
    Plasticity plasticity = spec.plasticity();
    Graph graph = new Graph();
    Ops tf = Ops.create(graph);
    VariableRegistry variables = new VariableRegistry(tf);
    PlasticRnn rnn = new PlasticRnn(spec, variables);
    Ops cell = variables.scope("episode");
    Placeholder<TFloat32> inputs = tf.withName("inputs").placeholder(TFloat32.class);
    PlasticRnn.Episode fromZero = rnn.forward(cell, inputs);
    Placeholder<TFloat32> h0 = tf.withName("h0").placeholder(TFloat32.class);
    Placeholder<TFloat32> trace0 =
        plasticity == Plasticity.NONE ? null : tf.withName("trace0").placeholder(TFloat32.class);
    PlasticRnn.Episode fromGiven = rnn.forward(cell, inputs, h0, trace0);
    Placeholder<TFloat32> stepX = tf.withName("step_x").placeholder(TFloat32.class);
    Placeholder<TFloat32> stepH = tf.withName("step_h").placeholder(TFloat32.class);
    Placeholder<TFloat32> stepTrace =
        plasticity == Plasticity.NONE
            ? null
            : tf.withName("step_trace").placeholder(TFloat32.class);
    PlasticRnn.Step step = rnn.step(variables.scope("step"), stepX, stepH, stepTrace);
    List<Placeholder<TFloat32>> newValues = new ArrayList<>();
    List<Op> assigns = new ArrayList<>();
    Ops setter = tf.withSubScope("set");
    for (Parameter p : rnn.parameters()) {
      Placeholder<TFloat32> value = setter.placeholder(TFloat32.class);
      newValues.add(value);
      assigns.add(setter.assign(p.variable(), value));
    }
    Operand<TFloat32> c =
        tf.constant(Shape.of(B, T, OUT), DataBuffers.of(toFloat(lossWeights), true, false));
    Operand<TFloat32> loss =
        tf.reduceSum(tf.math.mul(c, fromZero.logits()), tf.constant(new int[] {0, 1, 2}));
    List<Operand<?>> xs = new ArrayList<>();
    rnn.parameters().forEach(p -> xs.add(p.variable()));
    var grads = tf.withSubScope("gradient_check").gradients(loss, xs);
    List<Operand<TFloat32>> dys = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      dys.add(grads.<TFloat32>dy(i));
    }
    return new Built(
        graph,
        new Session(graph),
        rnn,
        inputs,
        fromZero,
        h0,
        trace0,
        fromGiven,
        stepX,
        stepH,
        stepTrace,
        step,
        newValues,
        assigns,
        dys);
  }

  @AfterAll
  static void close() {
    for (Map<Plasticity, Built> cells : List.of(built, oldCells)) {
      for (Built b : cells.values()) {
        b.session().close();
        b.graph().close();
      }
    }
  }

  // ---------------------------------------------------------------- names

  @Test
  void variablesCarryContractNamesAndAreAllParameters() {
    Map<Plasticity, List<String>> expected = new LinkedHashMap<>();
    List<String> base =
        List.of(
            "rnn/input_kernel",
            "rnn/recurrent_kernel",
            "rnn/bias",
            "rnn/output_kernel",
            "rnn/output_bias");
    expected.put(Plasticity.NONE, base);
    List<String> hebbian =
        List.of("hebbian/rnn/recurrent_kernel/alpha", "hebbian/rnn/recurrent_kernel/eta");
    expected.put(HEBBIAN, concat(base, hebbian));
    expected.put(
        OJA,
        concat(base, List.of("oja/rnn/recurrent_kernel/alpha", "oja/rnn/recurrent_kernel/eta")));
    expected.put(
        NEUROMODULATED,
        concat(
            base,
            List.of(
                "neuromodulated/rnn/recurrent_kernel/alpha",
                "neuromodulated/rnn/recurrent_kernel/modulator_kernel",
                "neuromodulated/rnn/recurrent_kernel/modulator_bias")));
    expected.put(
        GRADIENT,
        concat(
            base,
            List.of(
                "gradient/rnn/recurrent_kernel/eta",
                "gradient/rnn/recurrent_kernel/target_kernel",
                "gradient/rnn/recurrent_kernel/target_bias")));
    expected.put(
        DOPAMINE,
        concat(
            base,
            List.of(
                "dopamine/rnn/recurrent_kernel/alpha",
                "dopamine/rnn/recurrent_kernel/value_kernel",
                "dopamine/rnn/recurrent_kernel/value_bias")));
    for (Plasticity plasticity : KINDS) {
      List<String> names = new ArrayList<>();
      for (Parameter p : built.get(plasticity).rnn().parameters()) {
        names.add(p.name());
        assertEquals(p.name(), p.variable().op().name(), "op name of " + p.name());
      }
      assertEquals(expected.get(plasticity), names, plasticity.name());
    }
  }

  @Test
  void traceArgumentsAreChecked() {
    Built none = built.get(Plasticity.NONE);
    assertNull(none.fromZero().finalTrace());
    Ops tf = Ops.create(none.graph());
    assertThrows(
        IllegalArgumentException.class,
        () -> none.rnn().step(tf, none.stepX(), none.stepH(), none.stepH()));
    Built hebbian = built.get(HEBBIAN);
    Ops tf2 = Ops.create(hebbian.graph());
    assertThrows(
        IllegalArgumentException.class,
        () -> hebbian.rnn().step(tf2, hebbian.stepX(), hebbian.stepH(), null));
    assertThrows(
        IllegalArgumentException.class, () -> new PlasticRnnSpec(IN, H, OUT, 0, HEBBIAN, SEED));
    assertEquals(
        "plasticity DOPAMINE reads the reward from an input channel, but the spec gives no reward"
            + " channel (the task has no reward or feedback input)",
        assertThrows(
                IllegalArgumentException.class,
                () -> new PlasticRnnSpec(IN, H, OUT, T, DOPAMINE, SEED))
            .getMessage());
    assertEquals(
        "reward channel must be an input channel in [0, 3), got OptionalInt[3]",
        assertThrows(
                IllegalArgumentException.class,
                () -> new PlasticRnnSpec(IN, H, OUT, T, DOPAMINE, SEED, OptionalInt.of(IN)))
            .getMessage());
  }

  // ---------------------------------------------------------------- forward vs plain Java

  @Test
  void episodeFromZeroMatchesPlainJava() {
    Random random = new Random(1);
    for (Plasticity plasticity : KINDS) {
      Built b = built.get(plasticity);
      double[] x = randomArray(random, B * T * IN, 1.0);
      Map<String, double[]> p = readParameters(b);
      Plain expected = plainEpisode(plasticity, p, x, new double[B * H], new double[B * H * H]);
      List<Operand<TFloat32>> fetches = new ArrayList<>(List.of(b.fromZero().logits()));
      fetches.add(b.fromZero().finalState());
      if (plasticity != Plasticity.NONE) {
        fetches.add(b.fromZero().finalTrace());
      }
      Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
      feeds.put(b.inputs(), tensor(x, B, T, IN));
      List<double[]> actual = fetch(b.session(), feeds, fetches);
      String what = plasticity + " from zero: ";
      assertClose(expected.logits(), actual.get(0), 1e-5, what + "logits");
      assertClose(expected.state(), actual.get(1), 1e-5, what + "h_T");
      if (plasticity != Plasticity.NONE) {
        assertClose(expected.trace(), actual.get(2), 1e-5, what + "trace");
        assertTrue(maxAbs(expected.trace()) > 1e-3, what + "trace should move");
      }
    }
  }

  /**
   * From a given h_0 and trace, and with every parameter (biases included, which start at zero) set
   * to random values; the initial values are restored afterwards.
   */
  @Test
  void episodeFromGivenStateAndTraceMatchesPlainJava() {
    Random random = new Random(2);
    for (Plasticity plasticity : KINDS) {
      Built b = built.get(plasticity);
      double[] x = randomArray(random, B * T * IN, 1.0);
      double[] h0 = randomArray(random, B * H, 0.5);
      double[] f0 = randomArray(random, B * H * H, 0.3);
      Map<String, double[]> initial = readParameters(b);
      Map<String, double[]> p = new LinkedHashMap<>();
      initial.forEach((name, v) -> p.put(name, randomArray(random, v.length, 0.4)));
      setParameters(b, p);
      assertClose(p.get("rnn/bias"), readParameters(b).get("rnn/bias"), 0, "assigned bias");
      Plain expected = plainEpisode(plasticity, p, x, h0, f0);
      List<Operand<TFloat32>> fetches = new ArrayList<>(List.of(b.fromGiven().logits()));
      fetches.add(b.fromGiven().finalState());
      Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
      feeds.put(b.inputs(), tensor(x, B, T, IN));
      feeds.put(b.h0(), tensor(h0, B, H));
      if (plasticity != Plasticity.NONE) {
        fetches.add(b.fromGiven().finalTrace());
        feeds.put(b.trace0(), tensor(f0, B, H, H));
      }
      List<double[]> actual = fetch(b.session(), feeds, fetches);
      setParameters(b, initial);
      String what = plasticity + " from given state: ";
      assertClose(expected.logits(), actual.get(0), 1e-5, what + "logits");
      assertClose(expected.state(), actual.get(1), 1e-5, what + "h_T");
      if (plasticity != Plasticity.NONE) {
        assertClose(expected.trace(), actual.get(2), 1e-5, what + "trace");
      }
    }
  }

  /**
   * Running {@link PlasticRnn#step} once per session call, carrying h and the trace, as a server
   * would.
   */
  @Test
  void stepByStepMatchesPlainJava() {
    Random random = new Random(3);
    for (Plasticity plasticity : KINDS) {
      Built b = built.get(plasticity);
      double[] x = randomArray(random, B * T * IN, 1.0);
      Map<String, double[]> p = readParameters(b);
      Plain expected = plainEpisode(plasticity, p, x, new double[B * H], new double[B * H * H]);
      double[] h = new double[B * H];
      double[] f = new double[B * H * H];
      double[] logits = new double[B * T * OUT];
      for (int t = 0; t < T; t++) {
        double[] xt = new double[B * IN];
        for (int e = 0; e < B; e++) {
          System.arraycopy(x, (e * T + t) * IN, xt, e * IN, IN);
        }
        Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
        feeds.put(b.stepX(), tensor(xt, B, IN));
        feeds.put(b.stepH(), tensor(h, B, H));
        List<Operand<TFloat32>> fetches =
            new ArrayList<>(List.of(b.step().logits(), b.step().state()));
        if (plasticity != Plasticity.NONE) {
          feeds.put(b.stepTrace(), tensor(f, B, H, H));
          fetches.add(b.step().trace());
        }
        List<double[]> out = fetch(b.session(), feeds, fetches);
        for (int e = 0; e < B; e++) {
          System.arraycopy(out.get(0), e * OUT, logits, (e * T + t) * OUT, OUT);
        }
        h = out.get(1);
        if (plasticity != Plasticity.NONE) {
          f = out.get(2);
        }
      }
      String what = plasticity + " step by step: ";
      assertClose(expected.logits(), logits, 1e-5, what + "logits");
      assertClose(expected.state(), h, 1e-5, what + "h_T");
      if (plasticity != Plasticity.NONE) {
        assertClose(expected.trace(), f, 1e-5, what + "trace");
      }
    }
  }

  // ---------------------------------------------------------------- gradients

  /** ∂L/∂α and ∂L/∂η through the unrolled Hebbian episode vs central differences in double. */
  @Test
  void hebbianGradientMatchesFiniteDifferences() {
    List<String> checked = checkGradients(HEBBIAN, "hebbian/");
    assertEquals(
        List.of("hebbian/rnn/recurrent_kernel/alpha", "hebbian/rnn/recurrent_kernel/eta"), checked);
  }

  /** The same check for every plasticity kind and every parameter. */
  @Test
  void everyGradientMatchesFiniteDifferences() {
    for (Plasticity plasticity : KINDS) {
      List<String> checked = checkGradients(plasticity, "");
      assertEquals(built.get(plasticity).rnn().parameters().size(), checked.size());
    }
  }

  /**
   * The cell of new models (blocks, batched products) and that of older files (step by step,
   * elementwise products) compute the same episode and gradients up to float rounding, with random
   * values of every parameter.
   */
  @Test
  void newCellMatchesTheCellOfOlderFiles() {
    Random random = new Random(5);
    for (Plasticity plasticity : oldCells.keySet()) {
      Built now = built.get(plasticity);
      Built old = oldCells.get(plasticity);
      Map<String, double[]> saved = readParameters(now);
      Map<String, double[]> p = new LinkedHashMap<>();
      saved.forEach((name, v) -> p.put(name, randomArray(random, v.length, 0.3)));
      double[] x = randomArray(random, B * T * IN, 1.0);
      List<List<double[]>> results = new ArrayList<>();
      for (Built b : List.of(now, old)) {
        setParameters(b, p);
        List<Operand<TFloat32>> fetches =
            new ArrayList<>(List.of(b.fromZero().logits(), b.fromZero().finalTrace()));
        fetches.addAll(b.lossGradients());
        Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
        feeds.put(b.inputs(), tensor(x, B, T, IN));
        results.add(fetch(b.session(), feeds, fetches));
      }
      setParameters(now, saved);
      setParameters(old, saved);
      for (int k = 0; k < results.get(0).size(); k++) {
        String what = plasticity + (k == 0 ? " logits" : k == 1 ? " trace" : " gradient " + k);
        assertClose(results.get(1).get(k), results.get(0).get(k), 1e-5, what);
      }
    }
  }

  /**
   * Compares TensorFlow's gradient of each parameter whose name starts with {@code prefix} with
   * central differences of the plain-Java episode; returns the names checked.
   */
  private static List<String> checkGradients(Plasticity plasticity, String prefix) {
    Built b = built.get(plasticity);
    double[] x = randomArray(new Random(4), B * T * IN, 1.0);
    Map<String, double[]> p = readParameters(b);
    Map<Operand<TFloat32>, TFloat32> feeds = new LinkedHashMap<>();
    feeds.put(b.inputs(), tensor(x, B, T, IN));
    List<double[]> grads = fetch(b.session(), feeds, b.lossGradients());
    List<Parameter> parameters = b.rnn().parameters();
    List<String> checked = new ArrayList<>();
    for (int k = 0; k < parameters.size(); k++) {
      String name = parameters.get(k).name();
      if (!name.startsWith(prefix)) {
        continue;
      }
      double[] value = p.get(name);
      double[] numeric = new double[value.length];
      double eps = 1e-6;
      for (int i = 0; i < value.length; i++) {
        double saved = value[i];
        value[i] = saved + eps;
        double up = plainLoss(plasticity, p, x);
        value[i] = saved - eps;
        double down = plainLoss(plasticity, p, x);
        value[i] = saved;
        numeric[i] = (up - down) / (2 * eps);
      }
      String what = plasticity + " dL/d" + name;
      assertClose(numeric, grads.get(k), 1e-3, what);
      assertTrue(maxAbs(numeric) > 1e-3, what + " should not vanish");
      checked.add(name);
    }
    return checked;
  }

  private static double plainLoss(Plasticity plasticity, Map<String, double[]> p, double[] x) {
    double[] logits =
        plainEpisode(plasticity, p, x, new double[B * H], new double[B * H * H]).logits();
    double s = 0;
    for (int i = 0; i < logits.length; i++) {
      s += lossWeights[i] * logits[i];
    }
    return s;
  }

  // ---------------------------------------------------------------- training smoke test

  /**
   * Associative recall: a ±1 pattern of two features arrives at t = 0, then silence, then a cue at
   * t = T − 1 where the cell must output the pattern (squared error). Fifty plain SGD steps over
   * {@link PlasticRnn#parameters()} must lower the loss clearly.
   */
  @Test
  void hebbianCellLearnsAssociativeRecall() {
    int batch = 16;
    double[] x = new double[batch * T * IN];
    double[] target = new double[batch * OUT];
    for (int e = 0; e < batch; e++) {
      for (int o = 0; o < OUT; o++) {
        double v = ((e >> o) & 1) == 0 ? -1 : 1;
        x[(e * T) * IN + o] = v;
        target[e * OUT + o] = v;
      }
      x[(e * T + T - 1) * IN + 2] = 1;
    }
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry variables = new VariableRegistry(tf);
      PlasticRnn rnn = new PlasticRnn(new PlasticRnnSpec(IN, 8, OUT, T, HEBBIAN, SEED), variables);
      Operand<TFloat32> inputs =
          tf.constant(Shape.of(batch, T, IN), DataBuffers.of(toFloat(x), true, false));
      Operand<TFloat32> y =
          tf.constant(Shape.of(batch, OUT), DataBuffers.of(toFloat(target), true, false));
      PlasticRnn.Episode episode = rnn.forward(variables.scope("episode"), inputs);
      Operand<TFloat32> last = tf.gather(episode.logits(), tf.constant(T - 1), tf.constant(1));
      Operand<TFloat32> lossOp =
          tf.math.mean(tf.math.squaredDifference(last, y), tf.constant(new int[] {0, 1}));
      List<Operand<?>> xs = new ArrayList<>();
      rnn.parameters().forEach(p -> xs.add(p.variable()));
      var grads = tf.withSubScope("sgd").gradients(lossOp, xs);
      List<Op> gradOps = new ArrayList<>();
      for (int i = 0; i < xs.size(); i++) {
        gradOps.add(grads.<TFloat32>dy(i));
      }
      Ops apply = tf.withSubScope("apply").withControlDependencies(gradOps);
      Operand<TFloat32> lr = tf.constant(0.1f);
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < xs.size(); i++) {
        updates.add(
            apply.train.applyGradientDescent(
                rnn.parameters().get(i).variable(), lr, grads.<TFloat32>dy(i)));
      }
      try (Session session = new Session(graph)) {
        List<Double> losses = new ArrayList<>();
        for (int s = 0; s < 50; s++) {
          var runner = session.runner().fetch(lossOp);
          updates.forEach(runner::addTarget);
          try (var result = runner.run()) {
            losses.add((double) ((TFloat32) result.get(0)).getFloat());
          }
        }
        double first = losses.get(0);
        double lastLoss = losses.get(losses.size() - 1);
        assertTrue(Double.isFinite(lastLoss), "loss finite: " + losses);
        assertTrue(lastLoss < 0.5 * first, "loss should fall by half: " + losses);
      }
    }
  }

  // ---------------------------------------------------------------- plain Java

  /** Logits [B, T, OUT], h_T [B, H] and the trace [B, H, H], flattened row-major. */
  private record Plain(double[] logits, double[] state, double[] trace) {}

  /**
   * The cell's episode in double precision, written from the equations (PlasticRnn's Javadoc), not
   * from its code.
   */
  private static Plain plainEpisode(
      Plasticity kind, Map<String, double[]> p, double[] x, double[] h0, double[] f0) {
    double[] win = p.get("rnn/input_kernel");
    double[] w = p.get("rnn/recurrent_kernel");
    double[] bias = p.get("rnn/bias");
    double[] wout = p.get("rnn/output_kernel");
    double[] bout = p.get("rnn/output_bias");
    double[] logits = new double[B * T * OUT];
    double[] hAll = h0.clone();
    double[] fAll = f0.clone();
    for (int e = 0; e < B; e++) {
      double[] h = new double[H];
      System.arraycopy(hAll, e * H, h, 0, H);
      double[][] f = new double[H][H];
      for (int i = 0; i < H; i++) {
        System.arraycopy(fAll, (e * H + i) * H, f[i], 0, H);
      }
      for (int t = 0; t < T; t++) {
        double[] z = new double[H];
        for (int j = 0; j < H; j++) {
          double s = bias[j];
          for (int i = 0; i < IN; i++) {
            s += x[(e * T + t) * IN + i] * win[i * H + j];
          }
          for (int i = 0; i < H; i++) {
            double r =
                switch (Kind.of(kind)) {
                  case NONE -> w[i * H + j];
                  case HEBBIAN -> w[i * H + j] + alpha(p, "hebbian")[i * H + j] * f[i][j];
                  case OJA -> w[i * H + j] + alpha(p, "oja")[i * H + j] * f[i][j];
                  case NEUROMODULATED ->
                      w[i * H + j] + alpha(p, "neuromodulated")[i * H + j] * f[i][j];
                  case DOPAMINE -> w[i * H + j] + alpha(p, "dopamine")[i * H + j] * f[i][j];
                  case GRADIENT -> w[i * H + j] + f[i][j];
                };
            s += h[i] * r;
          }
          z[j] = s;
        }
        double[] hn = new double[H];
        for (int j = 0; j < H; j++) {
          hn[j] = Math.tanh(z[j]);
        }
        for (int o = 0; o < OUT; o++) {
          double s = bout[o];
          for (int j = 0; j < H; j++) {
            s += hn[j] * wout[j * OUT + o];
          }
          logits[(e * T + t) * OUT + o] = s;
        }
        double reward = x[(e * T + t) * IN + REWARD_CHANNEL];
        f = nextTrace(kind, p, f, reward, h, hn, z);
        h = hn;
      }
      System.arraycopy(h, 0, hAll, e * H, H);
      for (int i = 0; i < H; i++) {
        System.arraycopy(f[i], 0, fAll, (e * H + i) * H, H);
      }
    }
    return new Plain(logits, hAll, fAll);
  }

  private static double[] alpha(Map<String, double[]> p, String rule) {
    return p.get(rule + "/rnn/recurrent_kernel/alpha");
  }

  /**
   * The trace after one step, for the reward r_t (the input's reward channel), pre = h_{t−1}, post
   * = h_t and pre-activation z_t.
   */
  private static double[][] nextTrace(
      Plasticity kind,
      Map<String, double[]> p,
      double[][] f,
      double reward,
      double[] pre,
      double[] post,
      double[] z) {
    double[][] next = new double[H][H];
    switch (Kind.of(kind)) {
      case NONE -> {}
      case HEBBIAN -> {
        double eta = p.get("hebbian/rnn/recurrent_kernel/eta")[0];
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < H; j++) {
            next[i][j] = (1 - eta) * f[i][j] + eta * pre[i] * post[j];
          }
        }
      }
      case OJA -> {
        double eta = p.get("oja/rnn/recurrent_kernel/eta")[0];
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < H; j++) {
            next[i][j] = f[i][j] + eta * post[j] * (pre[i] - post[j] * f[i][j]);
          }
        }
      }
      case NEUROMODULATED -> {
        double[] wm = p.get("neuromodulated/rnn/recurrent_kernel/modulator_kernel");
        double m = p.get("neuromodulated/rnn/recurrent_kernel/modulator_bias")[0];
        for (int j = 0; j < H; j++) {
          m += post[j] * wm[j];
        }
        m = Math.tanh(m);
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < H; j++) {
            double v = f[i][j] + m * pre[i] * post[j];
            next[i][j] = Math.max(-PlasticRnn.NEUROMOD_CLIP, Math.min(PlasticRnn.NEUROMOD_CLIP, v));
          }
        }
      }
      case DOPAMINE -> {
        // V = h_{t-1} · w_V + b_V; δ = r − V; g = clip(1 + κ|δ|, 1, g_max); M = g δ.
        double value = p.get("dopamine/rnn/recurrent_kernel/value_bias")[0];
        double[] wv = p.get("dopamine/rnn/recurrent_kernel/value_kernel");
        for (int i = 0; i < H; i++) {
          value += pre[i] * wv[i];
        }
        double delta = reward - value;
        double gain =
            Math.min(
                Math.max(1 + RewardModulatedHebbianRule.GAIN_SLOPE * Math.abs(delta), 1),
                RewardModulatedHebbianRule.MAX_GAIN);
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < H; j++) {
            double v = f[i][j] + gain * delta * pre[i] * post[j];
            double c = RewardModulatedHebbianRule.CLIP;
            next[i][j] = Math.max(-c, Math.min(c, v));
          }
        }
      }
      case GRADIENT -> {
        double[] eta = p.get("gradient/rnn/recurrent_kernel/eta");
        double[] wt = p.get("gradient/rnn/recurrent_kernel/target_kernel");
        double[] bt = p.get("gradient/rnn/recurrent_kernel/target_bias");
        double lambda = PlasticRnn.GRADIENT_DECAY;
        double[][] grad = new double[H][H];
        double squares = 0;
        for (int j = 0; j < H; j++) {
          double target = bt[j];
          for (int k = 0; k < H; k++) {
            target += post[k] * wt[k * H + j];
          }
          // L = ½ Σ_j (target_j − z_j)², z_j = … + Σ_i pre_i (W + F)_ij: dL/dF_ij = −pre_i
          // (target_j − z_j).
          for (int i = 0; i < H; i++) {
            grad[i][j] = -pre[i] * (target - z[j]);
            squares += grad[i][j] * grad[i][j];
          }
        }
        double scale = Math.min(1, PlasticRnn.GRADIENT_CLIP / Math.max(Math.sqrt(squares), 1e-12));
        for (int i = 0; i < H; i++) {
          for (int j = 0; j < H; j++) {
            next[i][j] = (1 - lambda) * f[i][j] - scale * eta[i * H + j] * grad[i][j];
          }
        }
      }
    }
    return next;
  }

  // ---------------------------------------------------------------- helpers

  private static Map<String, double[]> readParameters(Built b) {
    List<Parameter> parameters = b.rnn().parameters();
    List<Operand<TFloat32>> fetches = new ArrayList<>();
    parameters.forEach(p -> fetches.add(p.variable()));
    List<double[]> values = fetch(b.session(), new LinkedHashMap<>(), fetches);
    Map<String, double[]> out = new LinkedHashMap<>();
    for (int i = 0; i < parameters.size(); i++) {
      out.put(parameters.get(i).name(), values.get(i));
    }
    return out;
  }

  private static void setParameters(Built b, Map<String, double[]> values) {
    List<Parameter> parameters = b.rnn().parameters();
    List<TFloat32> tensors = new ArrayList<>();
    try {
      var runner = b.session().runner();
      for (int i = 0; i < parameters.size(); i++) {
        Parameter p = parameters.get(i);
        TFloat32 t =
            TFloat32.tensorOf(
                p.shape(), DataBuffers.of(toFloat(values.get(p.name())), true, false));
        tensors.add(t);
        runner.feed(b.newValues().get(i), t);
        runner.addTarget(b.assigns().get(i));
      }
      runner.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /** Runs once with {@code feeds} (closed afterwards) and fetches every operand as doubles. */
  private static List<double[]> fetch(
      Session session, Map<Operand<TFloat32>, TFloat32> feeds, List<Operand<TFloat32>> fetches) {
    try {
      var runner = session.runner();
      feeds.forEach(runner::feed);
      fetches.forEach(runner::fetch);
      List<double[]> out = new ArrayList<>();
      try (var result = runner.run()) {
        for (int i = 0; i < fetches.size(); i++) {
          TFloat32 t = (TFloat32) result.get(i);
          float[] values = new float[(int) t.shape().size()];
          t.asRawTensor().data().asFloats().read(values);
          double[] d = new double[values.length];
          for (int k = 0; k < values.length; k++) {
            d[k] = values[k];
          }
          out.add(d);
        }
      }
      return out;
    } finally {
      feeds.values().forEach(TFloat32::close);
    }
  }

  private static TFloat32 tensor(double[] values, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(toFloat(values), true, false));
  }

  private static float[] toFloat(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }

  /** Gaussian values times {@code scale}, rounded to float so both sides see the same numbers. */
  private static double[] randomArray(Random random, int n, double scale) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (random.nextGaussian() * scale);
    }
    return a;
  }

  /** Equal within {@code tolerance}, relative above magnitude 1 and absolute below. */
  private static void assertClose(
      double[] expected, double[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      double allowed = tolerance * Math.max(1.0, Math.abs(expected[i]));
      assertEquals(expected[i], actual[i], allowed, what + "[" + i + "]");
    }
  }

  private static double maxAbs(double[] a) {
    double m = 0;
    for (double v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
