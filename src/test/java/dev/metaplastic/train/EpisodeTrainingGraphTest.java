package dev.metaplastic.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.EpisodeTrainingGraph;
import dev.metaplastic.graphs.EpisodeTrainingGraph.Loss;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.PlasticRnn;
import dev.metaplastic.graphs.PlasticRnnSpec;
import dev.metaplastic.graphs.PlasticRnnSpec.Plasticity;
import dev.metaplastic.ops.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;

/**
 * Checks {@link EpisodeTrainingGraph} through {@link EpisodeSession}: the masked loss and metric
 * against plain Java, learning and bit-reproducibility on associative recall, clipping, shape
 * checks and closing.
 */
class EpisodeTrainingGraphTest {
  /** Every plasticity kind of the registry. */
  static List<Plasticity> plasticities() {
    return Plasticity.values();
  }

  private static final PlasticRnnSpec SMALL =
      new PlasticRnnSpec(3, 5, 4, 6, new Plasticity("hebbian"), 3);

  @Test
  void entryPointsCarryTheirNames() {
    try (Graph g = new Graph()) {
      EpisodeTrainingGraph training =
          new EpisodeTrainingGraph(
              g,
              SMALL,
              OptimizerConfig.Adam.withLearningRate(0.01),
              Loss.CLASSIFICATION,
              EpisodeTrainingGraph.DEFAULT_CLIP_NORM);
      assertEquals("episode/inputs", training.inputs().op().name());
      assertEquals("episode/targets", training.targets().op().name());
      assertEquals("episode/mask", training.mask().op().name());
      assertEquals("train_episode/loss", training.trainLoss().op().name());
      assertEquals("train_episode/gradient_norm", training.gradientNorm().op().name());
      assertEquals("evaluate_episode/loss", training.evaluateLoss().op().name());
      assertEquals("evaluate_episode/metric", training.metric().op().name());
      assertEquals("predict/logits", training.logits().op().name());
      assertEquals("step/x", training.stepInput().op().name());
      assertEquals("step/state", training.stepState().op().name());
      assertEquals("step/trace", training.stepTrace().op().name());
      assertEquals("step/logits", training.stepLogits().op().name());
      assertEquals("step/next_state", training.nextState().op().name());
      assertEquals("step/next_trace", training.nextTrace().op().name());
      assertEquals("training_steps", training.trainingSteps().op().name());
      assertEquals("episodes_trained", training.episodesTrained().op().name());
      assertTrue(
          training
              .variables()
              .keySet()
              .containsAll(
                  List.of(
                      "rnn/recurrent_kernel",
                      "hebbian/rnn/recurrent_kernel/alpha",
                      "adam/rnn/recurrent_kernel/m",
                      "adam/hebbian/rnn/recurrent_kernel/eta/v")),
          training.variables().keySet().toString());
    }
  }

  /**
   * train_episode advances both counters, evaluation does not; a plain RNN steps without a trace.
   */
  @Test
  void trainingAdvancesTheCountersAndAPlainRnnStepsWithoutATrace() {
    PlasticRnnSpec plain = new PlasticRnnSpec(3, 5, 4, 6, Plasticity.NONE, 3);
    try (EpisodeSession session =
        new EpisodeSession(
            plain,
            new OptimizerConfig.Sgd(0.1),
            Loss.CLASSIFICATION,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM)) {
      assertNull(session.training().stepTrace());
      assertNull(session.training().nextTrace());
      assertEquals(0, session.trainingSteps());
      int batch = 2;
      float[] x = new float[batch * 6 * 3];
      float[] y = new float[batch * 6 * 4];
      float[] mask = new float[batch * 6];
      session.trainEpisode(x, y, mask, batch);
      session.trainEpisode(x, y, mask, batch);
      session.evaluate(x, y, mask, batch);
      assertEquals(2, session.trainingSteps());
      assertEquals(2L * batch, session.episodesTrained());
    }
  }

  // ---------------------------------------------------------------- loss and metric

  /**
   * Loss and metric of {@code evaluate_episode} equal a plain-Java double computation from the
   * logits of {@code predict}; the loss {@code train_episode} returns is the one before its step.
   */
  @ParameterizedTest
  @EnumSource(Loss.class)
  void maskedLossAndMetricMatchPlainJava(Loss kind) {
    int batch = 3;
    int t = SMALL.steps();
    int out = SMALL.outputSize();
    Random random = new Random(17 + kind.ordinal());
    float[] x = gaussian(random, batch * t * SMALL.inputSize());
    float[] y = new float[batch * t * out];
    for (int s = 0; s < batch * t; s++) {
      double total = 0;
      for (int o = 0; o < out; o++) {
        double v = kind == Loss.CLASSIFICATION ? random.nextDouble() : random.nextGaussian();
        y[s * out + o] = (float) v;
        total += v;
      }
      if (kind == Loss.CLASSIFICATION) {
        for (int o = 0; o < out; o++) {
          y[s * out + o] /= (float) total;
        }
      }
    }
    float[] mask = new float[batch * t];
    for (int s = 0; s < mask.length; s++) {
      mask[s] = random.nextBoolean() ? 1f : 0f;
    }
    mask[0] = 1f;
    mask[1] = 0f;

    try (EpisodeSession session =
        new EpisodeSession(
            SMALL, new OptimizerConfig.Sgd(0.1), kind, EpisodeTrainingGraph.DEFAULT_CLIP_NORM)) {
      float[] logits = session.predict(x, batch);
      assertEquals(batch * t * out, logits.length);
      double[] expected = plainLossAndMetric(kind, logits, y, mask, out);
      EpisodeSession.Evaluation eval = session.evaluate(x, y, mask, batch);
      assertEquals(expected[0], eval.loss(), 1e-5 * Math.max(1, expected[0]), "loss");
      assertEquals(expected[1], eval.metric(), 1e-5 * Math.max(1, expected[1]), "metric");

      float trained = session.trainEpisode(x, y, mask, batch);
      assertEquals(eval.loss(), trained, 0f, "train_episode returns the loss before its step");
      assertNotEquals(eval.loss(), session.evaluate(x, y, mask, batch).loss(), "a step was taken");
      float[] after = session.predict(x, batch);
      double[] again = plainLossAndMetric(kind, after, y, mask, out);
      EpisodeSession.Evaluation second = session.evaluate(x, y, mask, batch);
      assertEquals(again[0], second.loss(), 1e-5 * Math.max(1, again[0]), "loss after a step");
      assertEquals(again[1], second.metric(), 1e-5 * Math.max(1, again[1]), "metric after");

      // A step whose mask is zero everywhere scores nothing.
      EpisodeSession.Evaluation none = session.evaluate(x, y, new float[batch * t], batch);
      assertEquals(0f, none.loss());
      assertEquals(0f, none.metric());
    }
  }

  /** {loss, metric} in double precision from the definitions in EpisodeTrainingGraph's Javadoc. */
  private static double[] plainLossAndMetric(
      Loss kind, float[] logits, float[] targets, float[] mask, int out) {
    double lossSum = 0;
    double metricSum = 0;
    double mass = 0;
    for (int s = 0; s < mask.length; s++) {
      double loss;
      double metric;
      if (kind == Loss.CLASSIFICATION) {
        double max = Double.NEGATIVE_INFINITY;
        int argLogit = 0;
        int argTarget = 0;
        for (int o = 0; o < out; o++) {
          max = Math.max(max, logits[s * out + o]);
          if (logits[s * out + o] > logits[s * out + argLogit]) {
            argLogit = o;
          }
          if (targets[s * out + o] > targets[s * out + argTarget]) {
            argTarget = o;
          }
        }
        double sumExp = 0;
        for (int o = 0; o < out; o++) {
          sumExp += Math.exp(logits[s * out + o] - max);
        }
        double logSumExp = max + Math.log(sumExp);
        loss = 0;
        for (int o = 0; o < out; o++) {
          loss -= targets[s * out + o] * (logits[s * out + o] - logSumExp);
        }
        metric = argLogit == argTarget ? 1 : 0;
      } else {
        loss = 0;
        for (int o = 0; o < out; o++) {
          double d = (double) logits[s * out + o] - targets[s * out + o];
          loss += d * d;
        }
        metric = loss / out;
      }
      lossSum += mask[s] * loss;
      metricSum += mask[s] * metric;
      mass += mask[s];
    }
    return new double[] {lossSum / mass, metricSum / mass};
  }

  // ---------------------------------------------------------------- learning

  private static final int CUES = 4;
  private static final int NOISE = 2;
  private static final int RECALL_STEPS = 5;
  private static final PlasticRnnSpec RECALL =
      new PlasticRnnSpec(CUES + 1 + NOISE, 16, CUES, RECALL_STEPS, new Plasticity("hebbian"), 21);

  /** A batch of associative-recall episodes: inputs, targets, mask. */
  private record Episodes(float[] inputs, float[] targets, float[] mask, int batch) {}

  /**
   * A one-hot cue among {@value #CUES} at t = 0, a query flag at t = T − 1, Gaussian noise on
   * {@value #NOISE} distractor channels at every step; the cue must come back (one-hot target) at t
   * = T − 1, the only scored step.
   */
  private static Episodes recallEpisodes(Random random, int batch) {
    int in = RECALL.inputSize();
    int t = RECALL_STEPS;
    float[] x = new float[batch * t * in];
    float[] y = new float[batch * t * CUES];
    float[] mask = new float[batch * t];
    for (int e = 0; e < batch; e++) {
      int cue = random.nextInt(CUES);
      x[(e * t) * in + cue] = 1f;
      x[(e * t + t - 1) * in + CUES] = 1f;
      for (int s = 0; s < t; s++) {
        for (int k = 0; k < NOISE; k++) {
          x[(e * t + s) * in + CUES + 1 + k] = (float) (0.5 * random.nextGaussian());
        }
      }
      y[(e * t + t - 1) * CUES + cue] = 1f;
      mask[e * t + t - 1] = 1f;
    }
    return new Episodes(x, y, mask, batch);
  }

  private record Run(float[] losses, float accuracy, float[] recurrentKernel) {}

  private static Run trainRecall() {
    try (EpisodeSession session =
        new EpisodeSession(
            RECALL,
            OptimizerConfig.Adam.withLearningRate(0.02),
            Loss.CLASSIFICATION,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM)) {
      Random data = new Random(99);
      float[] losses = new float[300];
      for (int i = 0; i < losses.length; i++) {
        Episodes batch = recallEpisodes(data, 32);
        losses[i] = session.trainEpisode(batch.inputs(), batch.targets(), batch.mask(), 32);
      }
      Episodes fresh = recallEpisodes(new Random(12345), 512);
      float accuracy =
          session.evaluate(fresh.inputs(), fresh.targets(), fresh.mask(), 512).metric();
      return new Run(losses, accuracy, session.read(PlasticRnn.RECURRENT_KERNEL));
    }
  }

  /**
   * 300 Adam steps with HEBBIAN plasticity learn associative recall (accuracy ≥ 0.9 on fresh
   * episodes), and a second session with the same seed and data gives bit-identical losses.
   */
  @Test
  void hebbianLearnsAssociativeRecallReproducibly() {
    Run first = trainRecall();
    assertTrue(
        first.accuracy() >= 0.9,
        "accuracy on fresh episodes " + first.accuracy() + ", losses " + summary(first.losses()));
    for (float loss : first.losses()) {
      assertTrue(Float.isFinite(loss), "losses must stay finite: " + summary(first.losses()));
    }
    Run second = trainRecall();
    assertArrayEquals(first.losses(), second.losses(), "losses of two identical runs");
    assertArrayEquals(first.recurrentKernel(), second.recurrentKernel(), "final weights");
    assertEquals(first.accuracy(), second.accuracy(), 0f);
  }

  /**
   * The graph is built the same way every time, every gradient sum included: TensorFlow's gradient
   * builder orders the terms of a sum by memory address when one op feeds many (a per-step readout
   * did), and float sums in a different order give different bits, so training would not repeat
   * from one process to the next.
   */
  @ParameterizedTest
  @MethodSource("plasticities")
  void everyBuildOfTheGraphIsTheSame(Plasticity plasticity) {
    PlasticRnnSpec spec =
        new PlasticRnnSpec(
            4,
            16,
            2,
            12,
            plasticity,
            1,
            plasticity.readsReward() ? OptionalInt.of(3) : OptionalInt.empty());
    List<String> first = nodes(spec);
    for (int build = 0; build < 3; build++) {
      assertEquals(first, nodes(spec), plasticity + ", build " + (build + 2));
    }
  }

  /** Each node of a fresh training graph as "name op [inputs]". */
  private static List<String> nodes(PlasticRnnSpec spec) {
    try (Graph g = new Graph()) {
      new EpisodeTrainingGraph(
          g,
          spec,
          OptimizerConfig.Adam.withLearningRate(0.01),
          Loss.REGRESSION,
          EpisodeTrainingGraph.DEFAULT_CLIP_NORM);
      List<String> out = new ArrayList<>();
      g.toGraphDef()
          .getNodeList()
          .forEach(n -> out.add(n.getName() + " " + n.getOp() + " " + n.getInputList()));
      return out;
    }
  }

  /**
   * Every plasticity trains through the same graph: 40 Adam steps keep the loss finite and lower
   * it.
   */
  @ParameterizedTest
  @MethodSource("plasticities")
  void everyPlasticityTrains(Plasticity plasticity) {
    // Recall has no reward channel; DOPAMINE reads the query channel as one, to show it trains.
    PlasticRnnSpec spec =
        new PlasticRnnSpec(
            RECALL.inputSize(),
            8,
            CUES,
            RECALL_STEPS,
            plasticity,
            RECALL.seed(),
            OptionalInt.of(CUES));
    try (EpisodeSession session =
        new EpisodeSession(
            spec,
            OptimizerConfig.Adam.withLearningRate(0.02),
            Loss.CLASSIFICATION,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM)) {
      Episodes fixed = recallEpisodes(new Random(5), 32);
      float first = session.evaluate(fixed.inputs(), fixed.targets(), fixed.mask(), 32).loss();
      Random data = new Random(6);
      for (int i = 0; i < 40; i++) {
        Episodes batch = recallEpisodes(data, 32);
        float loss = session.trainEpisode(batch.inputs(), batch.targets(), batch.mask(), 32);
        assertTrue(Float.isFinite(loss), plasticity + " step " + i + " loss " + loss);
      }
      float last = session.evaluate(fixed.inputs(), fixed.targets(), fixed.mask(), 32).loss();
      assertTrue(last < 0.5 * first, plasticity + ": loss " + first + " -> " + last);
    }
  }

  private static String summary(float[] losses) {
    return "first " + losses[0] + ", last " + losses[losses.length - 1];
  }

  // ---------------------------------------------------------------- clipping and divergence

  /** With SGD at rate η and a tiny bound c, the step on all parameters has global norm η c. */
  @Test
  void gradientIsClippedToTheGlobalNorm() {
    double lr = 0.5;
    double bound = 1e-3;
    try (EpisodeSession session =
        new EpisodeSession(SMALL, new OptimizerConfig.Sgd(lr), Loss.REGRESSION, bound)) {
      int batch = 2;
      Random random = new Random(4);
      float[] x = gaussian(random, batch * SMALL.steps() * SMALL.inputSize());
      float[] y = gaussian(random, batch * SMALL.steps() * SMALL.outputSize());
      float[] mask = new float[batch * SMALL.steps()];
      Arrays.fill(mask, 1f);
      List<String> names = new ArrayList<>();
      for (Parameter p : session.training().rnn().parameters()) {
        names.add(p.name());
      }
      List<float[]> before = new ArrayList<>();
      names.forEach(n -> before.add(session.read(n)));
      session.trainEpisode(x, y, mask, batch);
      double squared = 0;
      for (int i = 0; i < names.size(); i++) {
        float[] after = session.read(names.get(i));
        for (int k = 0; k < after.length; k++) {
          double d = (double) after[k] - before.get(i)[k];
          squared += d * d;
        }
      }
      assertEquals(lr * bound, Math.sqrt(squared), 1e-2 * lr * bound);
    }
  }

  @Test
  void nonFiniteLossIsReturned() {
    try (EpisodeSession session =
        new EpisodeSession(
            SMALL,
            new OptimizerConfig.Sgd(0.1),
            Loss.REGRESSION,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM)) {
      float[] x = new float[SMALL.steps() * SMALL.inputSize()];
      x[0] = Float.NaN;
      float[] y = new float[SMALL.steps() * SMALL.outputSize()];
      float[] mask = new float[SMALL.steps()];
      Arrays.fill(mask, 1f);
      assertTrue(Float.isNaN(session.trainEpisode(x, y, mask, 1)));
    }
  }

  // ---------------------------------------------------------------- shapes and closing

  @Test
  void wrongShapesAreRejectedWithClearMessages() {
    try (EpisodeSession session =
        new EpisodeSession(
            SMALL,
            new OptimizerConfig.Sgd(0.1),
            Loss.CLASSIFICATION,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM)) {
      int batch = 2;
      float[] x = new float[batch * 6 * 3];
      float[] y = new float[batch * 6 * 4];
      float[] mask = new float[batch * 6];
      assertMessage(
          "inputs must hold [batch, steps, inputSize] = [2, 6, 3], that is 36 floats, got 35",
          () -> session.trainEpisode(new float[35], y, mask, batch));
      assertMessage(
          "targets must hold [batch, steps, outputSize] = [2, 6, 4], that is 48 floats, got 24",
          () -> session.evaluate(x, new float[24], mask, batch));
      assertMessage(
          "mask must hold [batch, steps] = [2, 6], that is 12 floats, got 13",
          () -> session.trainEpisode(x, y, new float[13], batch));
      assertMessage(
          "inputs must hold [batch, steps, inputSize] = [3, 6, 3], that is 54 floats, got 36",
          () -> session.predict(x, 3));
      assertMessage("batch must be > 0, got 0", () -> session.trainEpisode(x, y, mask, 0));
      IllegalArgumentException unknown =
          assertThrows(IllegalArgumentException.class, () -> session.read("rnn/nothing"));
      assertTrue(
          unknown.getMessage().startsWith("no variable named 'rnn/nothing'; the variables are ["),
          unknown.getMessage());
      assertDoesNotThrow(() -> session.trainEpisode(x, y, mask, batch));
    }
  }

  private static void assertMessage(String expected, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertEquals(expected, e.getMessage());
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() {
    EpisodeSession session =
        new EpisodeSession(
            SMALL,
            new OptimizerConfig.Sgd(0.1),
            Loss.CLASSIFICATION,
            EpisodeTrainingGraph.DEFAULT_CLIP_NORM);
    session.read(PlasticRnn.RECURRENT_KERNEL);
    session.close();
    assertTrue(session.isClosed());
    assertDoesNotThrow(session::close);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> session.read(PlasticRnn.RECURRENT_KERNEL));
    assertEquals("the episode session is closed", e.getMessage());
    assertThrows(
        IllegalStateException.class,
        () -> session.trainEpisode(new float[0], new float[0], new float[0], 1));
  }

  @Test
  void invalidConfigurationIsRejected() {
    try (Graph g = new Graph()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new EpisodeTrainingGraph(
                      g, SMALL, new OptimizerConfig.Sgd(0.1), Loss.REGRESSION, 0));
      assertEquals("clip norm must be > 0 (or +Infinity for no clipping), got 0.0", e.getMessage());
    }
  }

  private static float[] gaussian(Random random, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }
}
