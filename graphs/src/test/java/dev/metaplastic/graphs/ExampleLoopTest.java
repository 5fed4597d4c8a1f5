package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.ops.ElasticWeightConsolidation;
import dev.metaplastic.ops.GradientProjectionMemory;
import dev.metaplastic.ops.MemoryAwareSynapses;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The batch entry points of the importance estimates ({@link ExampleLoop}) against the rule's own
 * per-example ops run once per example (equal to float rounding: TensorFlow runs a loop body as a
 * function, whose kernels may round the last bit differently), and the data-taking task boundary
 * against an estimate followed by the plain one (bit for bit), with the session settings of {@code
 * ModelSession}.
 */
class ExampleLoopTest {
  private static final MlpSpec SPEC =
      new MlpSpec(
          6,
          List.of(5, 4),
          2,
          3,
          11,
          false,
          List.of(Activation.parse("gelu"), Activation.parse("leaky_relu(0.3)")));
  private static final List<RuleConfig> RULES =
      List.of(
          new ElasticWeightConsolidation.Config(10, 7),
          new MemoryAwareSynapses.Config(1, 7),
          new GradientProjectionMemory.Config(0.9, 7));
  private static final int N = 7;
  private static final ConfigProto CONFIG =
      ConfigProto.newBuilder()
          .setGraphOptions(
              GraphOptions.newBuilder()
                  .setRewriteOptions(RewriterConfig.newBuilder().setDisableMetaOptimizer(true)))
          .build();
  private static final long SEED = 42;

  @Test
  void theLoopGivesTheTemplateRunExampleByExample() {
    Batch batch = new Batch(new Random(1));
    for (RuleConfig rule : RULES) {
      Map<String, float[]> byLoop;
      Map<String, float[]> byExample;
      try (Graph g = new Graph();
          Session s = new Session(g, CONFIG)) {
        TrainingGraph training = graph(g, rule);
        estimateOnBatch(s, training, batch, rule);
        byLoop = state(s, training, rule.name());
      }
      try (Graph g = new Graph();
          Session s = new Session(g, CONFIG)) {
        TrainingGraph training = graph(g, rule);
        ExampleLoop.Template template = training.templates().get(rule.name());
        for (int i = 0; i < N; i++) {
          try (Feeds f = batch.feeds(i, 1);
              TInt64 seed = TInt64.vectorOf(SEED, i);
              TFloat32 weight = TFloat32.scalarOf(1f / N)) {
            var runner =
                f.feed(s.runner(), training)
                    .feed(template.seed(), seed)
                    .feed(template.weight(), weight);
            for (Op add : template.accumulate()) {
              runner.addTarget(add);
            }
            runner.run().close();
          }
        }
        byExample = state(s, training, rule.name());
      }
      assertEquals(byExample.keySet(), byLoop.keySet());
      for (String name : byLoop.keySet()) {
        float[] expected = byExample.get(name);
        float[] actual = byLoop.get(name);
        for (int k = 0; k < expected.length; k++) {
          assertEquals(expected[k], actual[k], 1e-6 * Math.max(1e-3, Math.abs(expected[k])), name);
        }
      }
      assertTrue(
          byLoop.values().stream().anyMatch(v -> java.util.Arrays.toString(v).matches(".*[1-9].*")),
          rule + ": every estimate stayed zero");
    }
  }

  @Test
  void consolidatingWithDataIsAnEstimateThenABoundary() {
    Batch batch = new Batch(new Random(2));
    for (RuleConfig rule : RULES) {
      Map<String, float[]> together;
      Map<String, float[]> apart;
      try (Graph g = new Graph();
          Session s = new Session(g, CONFIG)) {
        TrainingGraph training = graph(g, rule);
        try (Feeds f = batch.feeds(0, N);
            TInt64 seed = TInt64.scalarOf(SEED);
            Result r =
                f.feed(s.runner(), training)
                    .feed(training.estimateSeed(), seed)
                    .fetch(training.consolidatedWithData())
                    .run()) {
          assertEquals(1, ((TInt32) r.get(0)).getInt());
        }
        together = state(s, training, rule.name());
      }
      try (Graph g = new Graph();
          Session s = new Session(g, CONFIG)) {
        TrainingGraph training = graph(g, rule);
        estimateOnBatch(s, training, batch, rule);
        s.runner().addTarget(training.tasksConsolidated()).run().close();
        apart = state(s, training, rule.name());
      }
      for (String name : apart.keySet()) {
        assertArrayEquals(apart.get(name), together.get(name), name);
      }
    }
  }

  /** Evaluates the rule's {@code estimate/<rule>} entry on the first N examples of the batch. */
  private static void estimateOnBatch(
      Session s, TrainingGraph training, Batch batch, RuleConfig rule) {
    try (Feeds f = batch.feeds(0, N);
        TInt64 seed = TInt64.scalarOf(SEED)) {
      f.feed(s.runner(), training)
          .feed(training.estimateSeed(), seed)
          .addTarget(training.estimates().get(rule.name()))
          .run()
          .close();
    }
  }

  @Test
  void outOfRangeTasksAndLabelsFailLoudly() {
    Batch batch = new Batch(new Random(3));
    try (Graph g = new Graph();
        Session s = new Session(g, CONFIG)) {
      TrainingGraph training = graph(g, SynapticIntelligence.Config.SPLIT);
      batch.tasks[0] = SPEC.heads();
      List<Operand<?>> entries =
          List.of(training.probabilities(), training.loss(), training.accuracy());
      for (Operand<?> entry : entries) {
        try (Feeds f = batch.feeds(0, N)) {
          var e =
              assertThrows(
                  TFInvalidArgumentException.class,
                  () -> f.feed(s.runner(), training).fetch(entry).run().close());
          assertTrue(e.getMessage().contains("task ids must be in [0, 2)"), e.getMessage());
        }
      }
      batch.tasks[0] = 0;
      batch.labels[1] = -1;
      try (Feeds f = batch.feeds(0, N);
          TInt64 seed = TInt64.scalarOf(SEED)) {
        var e =
            assertThrows(
                TFInvalidArgumentException.class,
                () ->
                    f.feed(s.runner(), training)
                        .feed(training.estimateSeed(), seed)
                        .fetch(training.consolidatedWithData())
                        .run()
                        .close());
        assertTrue(e.getMessage().contains("labels must be in [0, 3)"), e.getMessage());
      }
    }
  }

  private static TrainingGraph graph(Graph g, RuleConfig rule) {
    return new TrainingGraph(g, SPEC, OptimizerConfig.Adam.withLearningRate(0.01), List.of(rule));
  }

  /** Every float state variable of the rule, by name. */
  private static Map<String, float[]> state(Session s, TrainingGraph training, String rule) {
    Map<String, float[]> out = new LinkedHashMap<>();
    training
        .variables()
        .forEach(
            (name, variable) -> {
              if (name.startsWith(rule + "/") && variable.type() == TFloat32.class) {
                try (Result r = s.runner().fetch(variable).run()) {
                  TFloat32 t = (TFloat32) r.get(0);
                  float[] values = new float[(int) t.shape().size()];
                  t.asRawTensor().data().asFloats().read(values);
                  out.put(name, values);
                }
              }
            });
    return out;
  }

  /** A fixed batch of random examples. */
  private static final class Batch {
    final float[] features = new float[N * SPEC.inputSize()];
    final int[] labels = new int[N];
    final int[] tasks = new int[N];

    Batch(Random random) {
      for (int i = 0; i < features.length; i++) {
        features[i] = (float) random.nextGaussian();
      }
      for (int i = 0; i < N; i++) {
        labels[i] = random.nextInt(SPEC.classesPerHead());
        tasks[i] = random.nextInt(SPEC.heads());
      }
    }

    Feeds feeds(int from, int count) {
      int d = SPEC.inputSize();
      float[] x = java.util.Arrays.copyOfRange(features, from * d, (from + count) * d);
      return new Feeds(
          TFloat32.tensorOf(Shape.of(count, d), DataBuffers.of(x, true, false)),
          TInt32.vectorOf(java.util.Arrays.copyOfRange(labels, from, from + count)),
          TInt32.vectorOf(java.util.Arrays.copyOfRange(tasks, from, from + count)));
    }
  }

  private record Feeds(TFloat32 x, TInt32 y, TInt32 task) implements AutoCloseable {
    Session.Runner feed(Session.Runner runner, TrainingGraph training) {
      return runner.feed(training.x(), x).feed(training.y(), y).feed(training.task(), task);
    }

    @Override
    public void close() {
      x.close();
      y.close();
      task.close();
    }
  }
}
