package dev.metaplastic.graphs;

import dev.metaplastic.ops.BatchEstimator;
import dev.metaplastic.ops.ConsolidationFromData;
import dev.metaplastic.ops.ConsolidationRule;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.PerExampleGradients;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The importance estimates of a training graph taken {@value #ROWS} examples at a time: for a model
 * whose parameters all belong to plain dense layers ({@link Model.Forward#densePasses()}), each
 * {@link ConsolidationFromData} rule gets an entry {@code estimate/<rule>_batch}; running it with
 * {@value #ROWS} examples in the graph's {@code x} (and {@code task}), one seed per row in {@link
 * #seeds()} and one weight per row in {@link #weights()} (1/samples, 0 for rows that only fill the
 * batch) adds what those examples add fed one at a time through {@code estimate/<rule>}. One
 * backward pass of the batch's summed objective gives every example's gradient at every layer's
 * pre-activation, from which {@link PerExampleGradients} forms the estimate.
 *
 * @param seeds {@code estimate/batch_seeds}, [{@value #ROWS}, 2]: row i's seed is the one its
 *     example would have had alone
 * @param weights {@code estimate/batch_weights}, [{@value #ROWS}]
 * @param entries the entry of each rule estimated in batches, by rule name; empty when the model
 *     has layers other than plain dense ones (its rules estimate one example at a time)
 */
public record BatchEstimates(
    Placeholder<TInt64> seeds, Placeholder<TFloat32> weights, Map<String, Op> entries) {
  /** Rows of one batch. */
  public static final int ROWS = 256;

  public BatchEstimates {
    entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  /** Builds the entries in {@code estimate}'s scope; entries only for the rules they fit. */
  static BatchEstimates build(
      Ops estimate,
      Model.Forward forward,
      List<Parameter> parameters,
      List<ConsolidationRule> rules) {
    Placeholder<TInt64> seeds =
        estimate
            .withName("batch_seeds")
            .placeholder(TInt64.class, Placeholder.shape(Shape.of(ROWS, 2)));
    Placeholder<TFloat32> weights =
        estimate
            .withName("batch_weights")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.of(ROWS)));
    List<Model.DensePass> layers = forward.densePasses();
    Map<String, Integer> layerOf = new HashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      layerOf.put(layers.get(i).layer().kernel().name(), i);
      layerOf.put(layers.get(i).layer().bias().name(), i);
    }
    Map<String, Op> entries = new LinkedHashMap<>();
    if (!parameters.stream().allMatch(p -> layerOf.containsKey(p.name()))) {
      return new BatchEstimates(seeds, weights, entries);
    }
    for (ConsolidationRule rule : rules) {
      if (!(rule instanceof ConsolidationFromData fromData)) {
        continue;
      }
      BatchEstimator batch = fromData.estimator();
      String name = rule.config().name();
      List<Operand<TFloat32>> deltas =
          deltas(
              estimate.withSubScope(name + "_batch_gradients"),
              batch.batchObjective(new BatchEstimator.Batch(estimate, forward.inference(), seeds)),
              layers);
      List<PerExampleGradients> gradients = new ArrayList<>();
      for (Parameter p : rule.parameters()) {
        int index = layerOf.get(p.name());
        Model.DensePass layer = layers.get(index);
        Operand<TFloat32> delta = deltas.get(index);
        gradients.add(
            p.name().equals(layer.layer().kernel().name())
                ? PerExampleGradients.ofKernel(layer.input(), delta)
                : PerExampleGradients.ofBias(delta));
      }
      List<Op> accumulate =
          batch.accumulateBatch(new BatchEstimator.BatchGradients(estimate, gradients, weights));
      entries.put(
          name, estimate.withControlDependencies(accumulate).withName(name + "_batch").noOp());
    }
    return new BatchEstimates(seeds, weights, entries);
  }

  /** δ = ∂objective/∂z at each layer's pre-activation z, in one backward pass. */
  private static List<Operand<TFloat32>> deltas(
      Ops tf, Operand<TFloat32> objective, List<Model.DensePass> layers) {
    List<Operand<?>> preActivations = new ArrayList<>();
    layers.forEach(layer -> preActivations.add(layer.preActivation()));
    Gradients dy = tf.gradients(objective, preActivations);
    List<Operand<TFloat32>> deltas = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      deltas.add(dy.<TFloat32>dy(i));
    }
    return deltas;
  }
}
