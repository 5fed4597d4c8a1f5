package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.ops.ElasticWeightConsolidation;
import dev.metaplastic.ops.GradientProjectionMemory;
import dev.metaplastic.ops.MemoryAwareSynapses;
import dev.metaplastic.ops.OnlineElasticWeightConsolidation;
import dev.metaplastic.ops.RuleConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * On a multi-head MLP with a hidden layer, the batched estimate of every rule that estimates from
 * data adds what the same examples add one at a time through the rule's {@code estimate/<rule>}
 * entry (a loop over the per-example estimate, each example with its own backward pass): the same
 * seeds (seed, i), weights 1/n, and the rows that only fill the batch weighing 0.
 */
class BatchEstimatesTest {
  private static final MlpSpec SPEC = new MlpSpec(6, List.of(5), 2, 3, 11);
  private static final int EXAMPLES = 200;
  private static final long SEED = 9;

  @Test
  void aBatchAddsWhatItsExamplesAddOneAtATime() {
    List<RuleConfig> rules =
        List.of(
            new ElasticWeightConsolidation.Config(1, EXAMPLES),
            new OnlineElasticWeightConsolidation.Config(1, 1, EXAMPLES),
            new MemoryAwareSynapses.Config(1, EXAMPLES),
            new GradientProjectionMemory.Config(0.9, EXAMPLES));
    Random random = new Random(4);
    float[] x = new float[BatchEstimates.ROWS * SPEC.inputSize()];
    int[] task = new int[BatchEstimates.ROWS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < task.length; i++) {
      task[i] = random.nextInt(SPEC.heads());
    }
    for (RuleConfig rule : rules) {
      try (Graph g = new Graph();
          Session s = new Session(g)) {
        TrainingGraph training =
            new TrainingGraph(g, SPEC, OptimizerConfig.Adam.withLearningRate(0.01), List.of(rule));
        String name = rule.name();
        assertTrue(training.batchEstimates().entries().containsKey(name), name);
        Map<String, Operand<?>> estimates = estimateVariables(training, name);
        assertTrue(estimates.size() >= 3, name + " " + estimates.keySet());
        oneAtATime(s, training, name, x, task);
        Map<String, float[]> expected = read(s, estimates);
        s.runner().addTarget(training.rebase()).run().close();
        inOneBatch(s, training, name, x, task);
        Map<String, float[]> actual = read(s, estimates);
        for (String variable : expected.keySet()) {
          float[] e = expected.get(variable);
          float[] a = actual.get(variable);
          double scale = 0;
          for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
          }
          assertTrue(scale > 0, variable + " estimates something");
          for (int k = 0; k < e.length; k++) {
            assertEquals(e[k], a[k], 1e-5 * scale, variable + "[" + k + "]");
          }
        }
      }
    }
  }

  /** The rule's running estimates: EWC's and MAS's per parameter, GPM's per layer. */
  private static Map<String, Operand<?>> estimateVariables(TrainingGraph training, String rule) {
    Map<String, Operand<?>> out = new LinkedHashMap<>();
    training
        .variables()
        .forEach(
            (name, variable) -> {
              if (name.startsWith(rule + "/")
                  && (name.endsWith("_estimate") || name.endsWith("/representation"))) {
                out.put(name, variable);
              }
            });
    return out;
  }

  /** The rule's {@code estimate/<rule>} entry on the first examples: one at a time, in a loop. */
  private static void oneAtATime(
      Session s, TrainingGraph training, String rule, float[] x, int[] task) {
    int inputs = SPEC.inputSize();
    try (TFloat32 xt =
            TFloat32.tensorOf(
                Shape.of(EXAMPLES, inputs),
                DataBuffers.of(Arrays.copyOf(x, EXAMPLES * inputs), true, false));
        TInt32 tt =
            TInt32.tensorOf(
                Shape.of(EXAMPLES), DataBuffers.of(Arrays.copyOf(task, EXAMPLES), true, false));
        TInt64 seed = TInt64.scalarOf(SEED)) {
      s.runner()
          .feed(training.x(), xt)
          .feed(training.task(), tt)
          .feed(training.estimateSeed(), seed)
          .addTarget(training.estimates().get(rule))
          .run()
          .close();
    }
  }

  private static void inOneBatch(
      Session s, TrainingGraph training, String rule, float[] x, int[] task) {
    int rows = BatchEstimates.ROWS;
    long[] seeds = new long[2 * rows];
    float[] weights = new float[rows];
    for (int r = 0; r < rows; r++) {
      seeds[2 * r] = SEED;
      seeds[2 * r + 1] = r;
      weights[r] = r < EXAMPLES ? 1f / EXAMPLES : 0f;
    }
    BatchEstimates batch = training.batchEstimates();
    try (TFloat32 xt =
            TFloat32.tensorOf(Shape.of(rows, SPEC.inputSize()), DataBuffers.of(x, true, false));
        TInt32 tt = TInt32.tensorOf(Shape.of(rows), DataBuffers.of(task, true, false));
        TInt64 st = TInt64.tensorOf(Shape.of(rows, 2), DataBuffers.of(seeds, true, false));
        TFloat32 wt = TFloat32.tensorOf(Shape.of(rows), DataBuffers.of(weights, true, false))) {
      s.runner()
          .feed(training.x(), xt)
          .feed(training.task(), tt)
          .feed(batch.seeds(), st)
          .feed(batch.weights(), wt)
          .addTarget(batch.entries().get(rule))
          .run()
          .close();
    }
  }

  private static Map<String, float[]> read(Session s, Map<String, Operand<?>> variables) {
    List<String> names = new ArrayList<>(variables.keySet());
    var runner = s.runner();
    names.forEach(n -> runner.fetch(variables.get(n)));
    Map<String, float[]> out = new LinkedHashMap<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        TFloat32 t = (TFloat32) r.get(i);
        float[] values = new float[(int) t.shape().size()];
        t.asRawTensor().data().asFloats().read(values);
        out.put(names.get(i), values);
      }
    }
    return out;
  }
}
