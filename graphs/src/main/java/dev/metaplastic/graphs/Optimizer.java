package dev.metaplastic.graphs;

import dev.metaplastic.ops.Parameter;
import dev.metaplastic.ops.StateVariables;
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
  /** Rescales proposed steps before they are applied (see dev.metaplastic.ops.StepTransform). */
  @FunctionalInterface
  interface StepTransform {
    /**
     * @param tf where to build the ops
     * @param steps the step of each parameter, applied as θ ← θ − step
     * @return the steps to apply instead
     */
    List<Operand<TFloat32>> apply(Ops tf, List<Operand<TFloat32>> steps);
  }

  /**
   * Builds the update of every parameter with the optimizer's fused kernels.
   *
   * @param tf an {@code Ops} whose control dependencies every update must respect
   * @param parameters the parameters, in the order of {@code gradients}
   * @param gradients the gradient of the loss for each parameter
   * @return the update ops; running all of them is one optimizer step
   */
  List<Op> apply(Ops tf, List<Parameter> parameters, List<Operand<TFloat32>> gradients);

  /**
   * Builds the update of every parameter from explicitly computed steps, which {@code transform}
   * rescales before they are applied; the same arithmetic as {@link #apply(Ops, List, List)} up to
   * float rounding.
   */
  List<Op> apply(
      Ops tf,
      List<Parameter> parameters,
      List<Operand<TFloat32>> gradients,
      StepTransform transform);

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

    /** step = η g. */
    @Override
    public List<Op> apply(
        Ops tf,
        List<Parameter> parameters,
        List<Operand<TFloat32>> gradients,
        StepTransform transform) {
      List<Operand<TFloat32>> steps = new ArrayList<>();
      gradients.forEach(g -> steps.add(tf.math.mul(learningRate, g)));
      List<Operand<TFloat32>> applied = transform.apply(tf, steps);
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < parameters.size(); i++) {
        updates.add(tf.assignSub(parameters.get(i).variable(), applied.get(i)));
      }
      return updates;
    }
  }

  /**
   * Adam (Kingma &amp; Ba 2015) with {@code ApplyAdam}, or with explicit ops when steps are
   * transformed; the β powers advance after every parameter is updated.
   */
  final class AdamOptimizer implements Optimizer {
    private final OptimizerConfig.Adam config;
    private final List<Variable<TFloat32>> firstMoments;
    private final List<Variable<TFloat32>> secondMoments;
    private final Variable<TFloat32> beta1Power;
    private final Variable<TFloat32> beta2Power;

    AdamOptimizer(
        OptimizerConfig.Adam config, VariableRegistry variables, List<Parameter> parameters) {
      this.config = config;
      List<List<Variable<TFloat32>>> slots =
          new StateVariables(variables, "adam")
              .perParameter(
                  parameters, StateVariables.Slot.zeros("m"), StateVariables.Slot.zeros("v"));
      this.firstMoments = slots.get(0);
      this.secondMoments = slots.get(1);
      Ops init = variables.root();
      beta1Power = variables.create("adam/beta1_power", init.constant((float) config.beta1()));
      beta2Power = variables.create("adam/beta2_power", init.constant((float) config.beta2()));
    }

    /**
     * m ← m + (1 − β₁)(g − m), v ← v + (1 − β₂)(g² − v), step = η √(1 − β₂ᵗ) / (1 − β₁ᵗ) · m / (√v
     * + ε): the arithmetic of {@code ApplyAdam}, written out so the step can be transformed.
     */
    @Override
    public List<Op> apply(
        Ops tf,
        List<Parameter> parameters,
        List<Operand<TFloat32>> gradients,
        StepTransform transform) {
      Operand<TFloat32> one = tf.constant(1f);
      Operand<TFloat32> beta1 = tf.constant((float) config.beta1());
      Operand<TFloat32> beta2 = tf.constant((float) config.beta2());
      Operand<TFloat32> rate =
          tf.math.div(
              tf.math.mul(
                  tf.constant((float) config.learningRate()),
                  tf.math.sqrt(tf.math.sub(one, beta2Power))),
              tf.math.sub(one, beta1Power));
      List<Operand<TFloat32>> newFirst = new ArrayList<>();
      List<Operand<TFloat32>> newSecond = new ArrayList<>();
      List<Operand<TFloat32>> steps = new ArrayList<>();
      for (int i = 0; i < parameters.size(); i++) {
        Operand<TFloat32> g = gradients.get(i);
        Operand<TFloat32> m = firstMoments.get(i);
        Operand<TFloat32> v = secondMoments.get(i);
        Operand<TFloat32> m1 =
            tf.math.add(m, tf.math.mul(tf.math.sub(one, beta1), tf.math.sub(g, m)));
        Operand<TFloat32> v1 =
            tf.math.add(v, tf.math.mul(tf.math.sub(one, beta2), tf.math.sub(tf.math.square(g), v)));
        newFirst.add(m1);
        newSecond.add(v1);
        steps.add(
            tf.math.div(
                tf.math.mul(rate, m1),
                tf.math.add(tf.math.sqrt(v1), tf.constant((float) config.epsilon()))));
      }
      List<Operand<TFloat32>> applied = transform.apply(tf, steps);
      List<Op> updates = new ArrayList<>();
      for (int i = 0; i < parameters.size(); i++) {
        updates.add(tf.assign(firstMoments.get(i), newFirst.get(i)));
        updates.add(tf.assign(secondMoments.get(i), newSecond.get(i)));
        updates.add(tf.assignSub(parameters.get(i).variable(), applied.get(i)));
      }
      return advancePowers(tf, updates, beta1, beta2);
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
      return advancePowers(tf, updates, beta1, beta2);
    }

    /** βᵢᵗ ← βᵢᵗ · βᵢ once every update of the step has read the powers. */
    private List<Op> advancePowers(
        Ops tf, List<Op> updates, Operand<TFloat32> beta1, Operand<TFloat32> beta2) {
      Ops after = tf.withControlDependencies(updates);
      List<Op> all = new ArrayList<>(updates);
      all.add(after.assign(beta1Power, after.math.mul(beta1Power, beta1)));
      all.add(after.assign(beta2Power, after.math.mul(beta2Power, beta2)));
      return all;
    }
  }
}
