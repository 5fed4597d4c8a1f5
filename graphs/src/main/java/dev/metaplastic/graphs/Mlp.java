package dev.metaplastic.graphs;

import com.google.common.collect.ImmutableList;
import dev.metaplastic.ops.DenseLayer;
import dev.metaplastic.ops.InitialValue;
import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A dense MLP: hidden layers {@code dense_<i>/kernel} [in, out] and {@code dense_<i>/bias}, each
 * followed by its activation of the spec (ReLU unless imported otherwise), and heads {@code
 * head_<t>/kernel} and {@code head_<t>/bias} that output logits.
 *
 * <p>Kernels start from Glorot-uniform values drawn by a stateless random op seeded from the spec,
 * so the same spec always gives the same initial weights; biases start at zero.
 */
public final class Mlp implements Model {
  private final MlpSpec spec;
  private final List<Layer> hidden = new ArrayList<>();
  private final List<Layer> heads = new ArrayList<>();
  private final List<Parameter> parameters = new ArrayList<>();

  private record Layer(String name, DenseLayer dense) {}

  /** Creates the model's variables in {@code variables}. */
  public Mlp(MlpSpec spec, VariableRegistry variables) {
    this.spec = spec;
    int in = spec.inputSize();
    int index = 0;
    for (int width : spec.hidden()) {
      hidden.add(layer(variables, "dense_" + index, in, width, index));
      in = width;
      index++;
    }
    for (int t = 0; t < spec.heads(); t++) {
      heads.add(layer(variables, "head_" + t, in, spec.classesPerHead(), index + t));
    }
  }

  private Layer layer(VariableRegistry variables, String name, int in, int out, int index) {
    Ops init = variables.root();
    Shape kernelShape = Shape.of(in, out);
    float limit = (float) Math.sqrt(6.0 / (in + out));
    Operand<TFloat32> uniform =
        init.random.statelessRandomUniform(
            init.constant(kernelShape), init.constant(new long[] {spec.seed(), index}));
    Operand<TFloat32> kernelInit =
        init.math.mul(
            init.math.sub(init.math.mul(uniform, init.constant(2f)), init.constant(1f)),
            init.constant(limit));
    Operand<TFloat32> biasInit = InitialValue.zeros(init, Shape.of(out)).value();
    Variable<TFloat32> kernel = variables.create(name + "/kernel", kernelInit);
    Variable<TFloat32> bias = variables.create(name + "/bias", biasInit);
    Layer layer =
        new Layer(
            name,
            new DenseLayer(
                new Parameter(name + "/kernel", kernel, kernelInit, kernelShape),
                new Parameter(name + "/bias", bias, biasInit, Shape.of(out))));
    parameters.add(layer.dense().kernel());
    parameters.add(layer.dense().bias());
    return layer;
  }

  @Override
  public MlpSpec spec() {
    return spec;
  }

  /** Every trainable parameter, hidden layers first, then heads. */
  @Override
  public List<Parameter> parameters() {
    return ImmutableList.copyOf(parameters);
  }

  /** Every layer, hidden layers first, then heads. */
  @Override
  public List<DenseLayer> denseLayers() {
    List<DenseLayer> out = new ArrayList<>();
    hidden.forEach(layer -> out.add(layer.dense()));
    heads.forEach(layer -> out.add(layer.dense()));
    return List.copyOf(out);
  }

  /**
   * The same logits serve training and inference: the model keeps no statistics. Every layer, heads
   * included, is a plain dense layer.
   */
  @Override
  public Forward forward(VariableRegistry variables, Operand<TFloat32> x, Operand<TInt32> task) {
    List<DensePass> layers = new ArrayList<>();
    Operand<TFloat32> h = x;
    for (int i = 0; i < hidden.size(); i++) {
      Layer layer = hidden.get(i);
      Ops tf = variables.scope(layer.name());
      h = spec.activations().get(i).apply(tf, dense(tf, layer, h, layers));
    }
    Operand<TFloat32> logits;
    if (!spec.multiHead()) {
      logits = dense(variables.scope(heads.get(0).name()), heads.get(0), h, layers);
    } else {
      logits = multiHead(variables.scope("heads"), h, task, layers);
    }
    return new Forward(logits, logits, List.of(), layers);
  }

  /**
   * Every head's logits from one product with the heads' kernels side by side, [batch, heads ·
   * classes], split into each head's z = x·W_t + b_t (recorded in {@code layers}), then each
   * example's own head's: one matrix product and its two gradients instead of one per head.
   */
  private Operand<TFloat32> multiHead(
      Ops tf, Operand<TFloat32> x, Operand<TInt32> task, List<DensePass> layers) {
    List<Operand<TFloat32>> kernels = new ArrayList<>();
    List<Operand<TFloat32>> biases = new ArrayList<>();
    for (Layer head : heads) {
      kernels.add(head.dense().kernel().variable());
      biases.add(head.dense().bias().variable());
    }
    Operand<TFloat32> all =
        tf.nn.biasAdd(
            tf.linalg.matMul(x, tf.concat(kernels, tf.constant(1))),
            tf.concat(biases, tf.constant(0)));
    List<Operand<TFloat32>> perHead = new ArrayList<>();
    for (Output<TFloat32> z : tf.split(tf.constant(1), all, (long) heads.size()).output()) {
      layers.add(new DensePass(heads.get(perHead.size()).dense(), x, z));
      perHead.add(z);
    }
    return Heads.select(tf, perHead, Heads.oneHot(tf, task, spec.heads()));
  }

  /** z = x·W + b, recorded in {@code layers}. */
  private static Operand<TFloat32> dense(
      Ops tf, Layer layer, Operand<TFloat32> x, List<DensePass> layers) {
    DenseLayer dense = layer.dense();
    Operand<TFloat32> z =
        tf.nn.biasAdd(tf.linalg.matMul(x, dense.kernel().variable()), dense.bias().variable());
    layers.add(new DensePass(dense, x, z));
    return z;
  }
}
