package dev.metaplastic.graphs;

import com.google.common.collect.ImmutableList;
import dev.metaplastic.ops.DenseLayer;
import dev.metaplastic.ops.InitialValue;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A binarized MLP as in Laborieux, Ernoult, Hirtzlin &amp; Querlioz, "Synaptic metaplasticity in
 * binarized neural networks" (Nature Communications 12, 2549, 2021), after Hubara et al.'s
 * binarized neural networks.
 *
 * <p>Every layer, hidden layers {@code dense_<i>} and heads {@code head_<t>} alike, is a bias-free
 * dense layer followed by batch normalization:
 *
 * <ul>
 *   <li>{@code <layer>/kernel} [in, out] is the <em>hidden</em> weight W_h, the trained parameter
 *       (and the one {@link dev.metaplastic.ops.Metaplasticity} consolidates). The forward pass
 *       uses the binary weight W_b = sign(W_h) ∈ {−1, +1} (with sign(0) = +1, so it is always ±1),
 *       through the straight-through estimator W_b = W_h + stop_gradient(sign(W_h) − W_h): the
 *       gradient with respect to W_b reaches W_h unchanged. The graph names W_b {@code
 *       <layer>/binary_kernel}.
 *   <li>{@code <layer>/batch_norm/gamma} and {@code beta} are learned; {@code moving_mean} and
 *       {@code moving_variance} are statistics, variables saved with the model but not parameters.
 *       Training mode normalizes with the batch's mean and biased variance and moves the statistics
 *       toward the batch's mean and unbiased variance with momentum 0.1 (PyTorch's {@code
 *       BatchNorm1d} defaults, which the paper's reference code uses, ε = 10⁻⁵); inference mode
 *       normalizes with the moving statistics.
 *   <li>Hidden activations are sign(x) ∈ {−1, +1} (sign(0) = +1), with the straight-through
 *       estimator of the paper's code: the gradient passes where |x| ≤ 1 and is zero elsewhere (the
 *       derivative of hardtanh). The network's inputs are not binarized, as in the paper's code for
 *       the first layer; the heads' normalized outputs are the logits.
 * </ul>
 *
 * <p>With several heads (one per task, each example's task given with it) the normalization is
 * task-dependent, as in the paper's default {@code 'task'} scenario for permuted MNIST, whose
 * reference code saves every batch normalization's affine parameters and statistics at the end of
 * each task and restores them when testing that task. Here every task has its own normalization in
 * every layer: each hidden layer {@code dense_<i>} has {@code dense_<i>/batch_norm_<t>/{gamma,
 * beta, moving_mean, moving_variance}} for each task t (the hidden weights stay shared), and each
 * head {@code head_<t>} keeps its {@code head_<t>/batch_norm/...}. Each example is normalized by
 * its own task's normalization: in training mode with the batch statistics of its task's examples
 * in the batch (a task absent from the batch keeps its statistics), in inference mode with its
 * task's moving statistics. With one head every layer has the single {@code <layer>/batch_norm}.
 *
 * <p>Hidden weights start uniform in [−0.05, 0.05], the paper's continual-learning default ({@code
 * --init uniform --init-width 0.1}), drawn by a stateless random op seeded from the spec, so the
 * same spec always gives the same initial weights. γ starts at 1 and β at 0 (the reference code
 * notes that older PyTorch drew γ uniformly in [0, 1]); the moving mean starts at 0 and the moving
 * variance at 1.
 */
public final class BinarizedMlp implements Model {
  /** Momentum of the moving statistics: moving ← (1 − momentum)·moving + momentum·batch. */
  public static final float MOMENTUM = 0.1f;

  /** ε added to the variance before normalizing. */
  public static final float EPSILON = 1e-5f;

  /** Width of the uniform distribution of the initial hidden weights, centred on zero. */
  public static final float INIT_WIDTH = 0.1f;

  private final MlpSpec spec;
  private final List<Layer> hidden = new ArrayList<>();
  private final List<Layer> heads = new ArrayList<>();
  private final List<Parameter> parameters = new ArrayList<>();

  /**
   * One layer's variables.
   *
   * @param binaryKernel sign(W_h) with the straight-through gradient, named {@code
   *     <layer>/binary_kernel}
   * @param norms the layer's batch normalizations: one, or one per task for a hidden layer of a
   *     multi-head model (task t's at index t)
   */
  private record Layer(
      String name, Parameter kernel, Operand<TFloat32> binaryKernel, List<Norm> norms) {}

  /**
   * One batch normalization's variables.
   *
   * @param scope its name, such as {@code dense_0/batch_norm} or {@code dense_0/batch_norm_1}
   */
  private record Norm(
      String scope,
      Parameter gamma,
      Parameter beta,
      Variable<TFloat32> movingMean,
      Variable<TFloat32> movingVariance) {}

  /** Normalized outputs of one normalization in training mode and the updates of its statistics. */
  private record Normalized(Operand<TFloat32> output, List<Op> updates) {}

  /** Creates the model's variables in {@code variables}. */
  public BinarizedMlp(MlpSpec spec, VariableRegistry variables) {
    this.spec = spec;
    List<String> hiddenNorms = new ArrayList<>();
    if (spec.multiHead()) {
      for (int t = 0; t < spec.heads(); t++) {
        hiddenNorms.add("batch_norm_" + t);
      }
    } else {
      hiddenNorms.add("batch_norm");
    }
    int in = spec.inputSize();
    int index = 0;
    for (int width : spec.hidden()) {
      hidden.add(layer(variables, "dense_" + index, in, width, index, hiddenNorms));
      in = width;
      index++;
    }
    for (int t = 0; t < spec.heads(); t++) {
      heads.add(
          layer(
              variables, "head_" + t, in, spec.classesPerHead(), index + t, List.of("batch_norm")));
    }
  }

  private Layer layer(
      VariableRegistry variables, String name, int in, int out, int index, List<String> norms) {
    Ops init = variables.root();
    Shape kernelShape = Shape.of(in, out);
    Operand<TFloat32> uniform =
        init.random.statelessRandomUniform(
            init.constant(kernelShape), init.constant(new long[] {spec.seed(), index}));
    Operand<TFloat32> kernelInit =
        init.math.mul(init.math.sub(uniform, init.constant(0.5f)), init.constant(INIT_WIDTH));
    Shape vector = Shape.of(out);
    Operand<TFloat32> ones = InitialValue.filled(init, vector, 1).value();
    Operand<TFloat32> zeros = InitialValue.zeros(init, vector).value();
    Variable<TFloat32> kernel = variables.create(name + "/kernel", kernelInit);
    Parameter kernelParameter = new Parameter(name + "/kernel", kernel, kernelInit, kernelShape);
    parameters.add(kernelParameter);
    List<Norm> layerNorms = new ArrayList<>();
    for (String norm : norms) {
      String scope = name + "/" + norm;
      String bn = scope + "/";
      Norm n =
          new Norm(
              scope,
              new Parameter(bn + "gamma", variables.create(bn + "gamma", ones), ones, vector),
              new Parameter(bn + "beta", variables.create(bn + "beta", zeros), zeros, vector),
              variables.create(bn + "moving_mean", zeros),
              variables.create(bn + "moving_variance", ones));
      parameters.add(n.gamma());
      parameters.add(n.beta());
      layerNorms.add(n);
    }
    Ops tf = variables.scope(name);
    Operand<TFloat32> binaryKernel =
        tf.withName("binary_kernel")
            .math
            .add(kernel, tf.stopGradient(tf.math.sub(sign(tf, kernel), kernel)));
    return new Layer(name, kernelParameter, binaryKernel, List.copyOf(layerNorms));
  }

  /** sign(x) with sign(0) = +1: 2·[x ≥ 0] − 1, exactly ±1. */
  static Operand<TFloat32> sign(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> positive =
        tf.dtypes.cast(tf.math.greaterEqual(x, tf.constant(0f)), TFloat32.class);
    return tf.math.sub(tf.math.mul(positive, tf.constant(2f)), tf.constant(1f));
  }

  /**
   * The binary activation sign(x) (sign(0) = +1) with the paper's straight-through estimator: the
   * gradient is passed where |x| ≤ 1 and zeroed elsewhere. Built as x·k + stop_gradient(sign(x) −
   * x·k) with k = stop_gradient([|x| ≤ 1]), whose value is exactly sign(x).
   */
  static Operand<TFloat32> binaryActivation(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> inside =
        tf.stopGradient(
            tf.dtypes.cast(tf.math.lessEqual(tf.math.abs(x), tf.constant(1f)), TFloat32.class));
    Operand<TFloat32> linear = tf.math.mul(x, inside);
    return tf.math.add(linear, tf.stopGradient(tf.math.sub(sign(tf, x), linear)));
  }

  @Override
  public MlpSpec spec() {
    return spec;
  }

  /**
   * Every trainable parameter, hidden layers first, then heads; for each layer its kernel (the
   * hidden weights), then γ and β of each of its normalizations in task order. The moving
   * statistics are not parameters.
   */
  @Override
  public List<Parameter> parameters() {
    return ImmutableList.copyOf(parameters);
  }

  /** None: every layer ends in batch normalization, so no layer is a plain dense one. */
  @Override
  public List<DenseLayer> denseLayers() {
    return List.of();
  }

  /**
   * The binary weights sign(W_h) each layer uses in its forward pass, hidden layers first, then
   * heads, each named {@code <layer>/binary_kernel}.
   */
  public List<Operand<TFloat32>> binaryKernels() {
    List<Operand<TFloat32>> out = new ArrayList<>();
    hidden.forEach(l -> out.add(l.binaryKernel()));
    heads.forEach(l -> out.add(l.binaryKernel()));
    return out;
  }

  /**
   * Training mode normalizes with the batch's statistics and updates the moving statistics;
   * inference mode normalizes with the moving statistics. With several heads each example goes
   * through its task's normalization in every layer and its task's head.
   */
  @Override
  public Forward forward(VariableRegistry variables, Operand<TFloat32> x, Operand<TInt32> task) {
    Operand<TFloat32> taskOneHot =
        spec.multiHead() ? Heads.oneHot(variables.scope("heads"), task, spec.heads()) : null;
    List<Op> updates = new ArrayList<>();
    Operand<TFloat32> training = x;
    Operand<TFloat32> inference = x;
    for (Layer layer : hidden) {
      Ops tf = variables.scope(layer.name());
      int n = layer.norms().size();
      Forward normalized =
          normalizeByTask(
              variables,
              tf,
              layer.norms(),
              Collections.nCopies(n, tf.linalg.matMul(training, layer.binaryKernel())),
              Collections.nCopies(n, tf.linalg.matMul(inference, layer.binaryKernel())),
              taskOneHot);
      updates.addAll(normalized.statisticUpdates());
      training = binaryActivation(tf, normalized.training());
      inference = sign(tf, normalized.inference());
    }
    List<Norm> headNorms = new ArrayList<>();
    List<Operand<TFloat32>> trainingHeads = new ArrayList<>();
    List<Operand<TFloat32>> inferenceHeads = new ArrayList<>();
    for (Layer head : heads) {
      Ops tf = variables.scope(head.name());
      headNorms.add(head.norms().get(0));
      trainingHeads.add(tf.linalg.matMul(training, head.binaryKernel()));
      inferenceHeads.add(tf.linalg.matMul(inference, head.binaryKernel()));
    }
    Forward logits =
        normalizeByTask(
            variables,
            variables.scope("heads"),
            headNorms,
            trainingHeads,
            inferenceHeads,
            taskOneHot);
    updates.addAll(logits.statisticUpdates());
    return new Forward(logits.training(), logits.inference(), updates);
  }

  /**
   * Task-dependent batch normalization, the one normalization step of hidden layers and heads:
   * normalization {@code norms.get(t)} normalizes {@code training.get(t)} (with the batch
   * statistics of the examples of task t only, when {@code taskOneHot} is given) and {@code
   * inference.get(t)}, and each example keeps the output of its own task. With a single
   * normalization and no {@code taskOneHot}, it is plain batch normalization over the whole batch.
   *
   * @param select scope of the per-example selection
   * @param training pre-activations in training mode, one per normalization, each [batch, width]
   * @param inference pre-activations in inference mode, likewise
   * @param taskOneHot one-hot of each example's task [batch, tasks], or null with a single head
   * @return the outputs in both modes and the updates of every normalization's statistics
   */
  private static Forward normalizeByTask(
      VariableRegistry variables,
      Ops select,
      List<Norm> norms,
      List<Operand<TFloat32>> training,
      List<Operand<TFloat32>> inference,
      Operand<TFloat32> taskOneHot) {
    List<Op> updates = new ArrayList<>();
    List<Operand<TFloat32>> trainingOutputs = new ArrayList<>();
    List<Operand<TFloat32>> inferenceOutputs = new ArrayList<>();
    for (int t = 0; t < norms.size(); t++) {
      Norm norm = norms.get(t);
      Ops tf = variables.scope(norm.scope());
      Operand<TFloat32> weights = taskOneHot == null ? null : Heads.ofTask(tf, taskOneHot, t);
      Normalized normalized = normalizeTraining(tf, norm, training.get(t), weights);
      updates.addAll(normalized.updates());
      trainingOutputs.add(normalized.output());
      inferenceOutputs.add(normalizeInference(tf, norm, inference.get(t)));
    }
    if (taskOneHot == null) {
      return new Forward(trainingOutputs.get(0), inferenceOutputs.get(0), updates);
    }
    return new Forward(
        Heads.select(select, trainingOutputs, taskOneHot),
        Heads.select(select, inferenceOutputs, taskOneHot),
        updates);
  }

  /**
   * Batch normalization in training mode: y = γ (z − μ) / √(σ² + ε) + β with the batch's mean μ and
   * biased variance σ², taken over the examples of weight 1 if {@code weights} is given (each
   * example's weight is 0 or 1). The moving statistics move by momentum·min(n, 1) toward μ and the
   * unbiased variance σ² n / (n − 1), n being the number of examples counted.
   */
  private static Normalized normalizeTraining(
      Ops tf, Norm norm, Operand<TFloat32> z, Operand<TFloat32> weights) {
    Operand<TFloat32> mean;
    Operand<TFloat32> variance;
    Operand<TFloat32> count;
    Operand<TFloat32> one = tf.constant(1f);
    if (weights == null) {
      count =
          tf.dtypes.cast(
              tf.slice(tf.shape(z), tf.constant(new int[] {0}), tf.constant(new int[] {1})),
              TFloat32.class);
      count = tf.reshape(count, tf.constant(new int[0]));
      mean = tf.math.mean(z, tf.constant(0));
      variance = tf.math.mean(tf.math.squaredDifference(z, mean), tf.constant(0));
    } else {
      Operand<TFloat32> column = tf.expandDims(weights, tf.constant(1));
      count = tf.reduceSum(weights, tf.constant(0));
      Operand<TFloat32> divisor = tf.math.maximum(count, one);
      mean = tf.math.div(tf.reduceSum(tf.math.mul(z, column), tf.constant(0)), divisor);
      variance =
          tf.math.div(
              tf.reduceSum(tf.math.mul(tf.math.squaredDifference(z, mean), column), tf.constant(0)),
              divisor);
    }
    Operand<TFloat32> output =
        tf.math.add(
            tf.math.mul(
                tf.math.mul(norm.gamma().variable(), tf.math.sub(z, mean)),
                tf.math.rsqrt(tf.math.add(variance, tf.constant(EPSILON)))),
            norm.beta().variable());
    Operand<TFloat32> rate = tf.math.mul(tf.constant(MOMENTUM), tf.math.minimum(count, one));
    Operand<TFloat32> unbiased =
        tf.math.div(tf.math.mul(variance, count), tf.math.maximum(tf.math.sub(count, one), one));
    List<Op> updates =
        List.of(
            tf.assign(norm.movingMean(), moved(tf, norm.movingMean(), mean, rate)),
            tf.assign(norm.movingVariance(), moved(tf, norm.movingVariance(), unbiased, rate)));
    return new Normalized(output, updates);
  }

  /** (1 − rate)·moving + rate·batch. */
  private static Operand<TFloat32> moved(
      Ops tf, Operand<TFloat32> moving, Operand<TFloat32> batch, Operand<TFloat32> rate) {
    return tf.math.add(
        tf.math.mul(tf.math.sub(tf.constant(1f), rate), moving), tf.math.mul(rate, batch));
  }

  /** Batch normalization in inference mode: y = γ (z − moving mean) / √(moving var + ε) + β. */
  private static Operand<TFloat32> normalizeInference(Ops tf, Norm norm, Operand<TFloat32> z) {
    return tf.math.add(
        tf.math.mul(
            tf.math.mul(norm.gamma().variable(), tf.math.sub(z, norm.movingMean())),
            tf.math.rsqrt(tf.math.add(norm.movingVariance(), tf.constant(EPSILON)))),
        norm.beta().variable());
  }
}
