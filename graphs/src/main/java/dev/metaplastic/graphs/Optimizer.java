package dev.metaplastic.graphs;

import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.VariableRegistry;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** An optimizer attached to a graph: turns gradients into update ops on the parameters. */
public sealed interface Optimizer {
  /**
   * Builds the update of every parameter.
   *
   * @param tf an {@code Ops} whose control dependencies every update must respect
   * @param parameters the parameters, in the order of {@code gradients}
   * @param gradients the gradient of the loss for each parameter
   * @return the update ops; running all of them is one optimizer step
   */
  List<Op> apply(Ops tf, List<Parameter> parameters, List<Operand<TFloat32>> gradients);

  /** θ ← θ − η g, with {@code ApplyGradientDescent}. */
  final class GradientDescent implements Optimizer {
    private final Operand<TFloat32> learningRate;

    GradientDescent(OptimizerConfig.Sgd config, VariableRegistry variables) {
      this.learningRate =
          variables.scope("sgd").withName("learning_rate").constant((float) config.learningRate());
    }

    @Override
    public List<Op> apply(Ops tf, List<Parameter> parameters, List<Operand<TFloat32>> gradients) {
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < parameters.size(); i++) {
        updates.add(
            tf.train.applyGradientDescent(
                parameters.get(i).variable(), learningRate, gradients.get(i)));
      }
      return updates;
    }
  }

  /** Adam with {@code ApplyAdam}; the β powers advance after every parameter is updated. */
  final class AdamOptimizer implements Optimizer {
    private final OptimizerConfig.Adam config;
    private final List<Variable<TFloat32>> firstMoments = new ArrayList<>();
    private final List<Variable<TFloat32>> secondMoments = new ArrayList<>();
    private final Variable<TFloat32> beta1Power;
    private final Variable<TFloat32> beta2Power;

    AdamOptimizer(
        OptimizerConfig.Adam config, VariableRegistry variables, List<Parameter> parameters) {
      this.config = config;
      Ops init = variables.root();
      for (Parameter p : parameters) {
        Operand<TFloat32> zeros = init.zeros(init.constant(p.shape()), TFloat32.class);
        firstMoments.add(variables.create("adam/" + p.name() + "/m", zeros));
        secondMoments.add(variables.create("adam/" + p.name() + "/v", zeros));
      }
      beta1Power = variables.create("adam/beta1_power", init.constant((float) config.beta1()));
      beta2Power = variables.create("adam/beta2_power", init.constant((float) config.beta2()));
    }

    @Override
    public List<Op> apply(Ops tf, List<Parameter> parameters, List<Operand<TFloat32>> gradients) {
      Operand<TFloat32> lr = tf.constant((float) config.learningRate());
      Operand<TFloat32> beta1 = tf.constant((float) config.beta1());
      Operand<TFloat32> beta2 = tf.constant((float) config.beta2());
      Operand<TFloat32> epsilon = tf.constant((float) config.epsilon());
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < parameters.size(); i++) {
        updates.add(
            tf.train.applyAdam(
                parameters.get(i).variable(),
                firstMoments.get(i),
                secondMoments.get(i),
                beta1Power,
                beta2Power,
                lr,
                beta1,
                beta2,
                epsilon,
                gradients.get(i)));
      }
      Ops after = tf.withControlDependencies(updates);
      List<Op> all = new ArrayList<>(updates);
      all.add(after.assign(beta1Power, after.math.mul(beta1Power, beta1)));
      all.add(after.assign(beta2Power, after.math.mul(beta2Power, beta2)));
      return all;
    }
  }
}
