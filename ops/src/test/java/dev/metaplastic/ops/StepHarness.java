package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.toFloat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A rule that works after every optimizer step, attached to parameters {@code layer_<i>/w} of given
 * shapes (random initial values), for the equation tests of such rules. Optimizer steps are
 * simulated: {@link #step} feeds a gradient g and an update Δθ for each parameter, applies Δθ, then
 * runs the rule's after-step hook with g as the task gradient and Δθ as the update applied, as the
 * training graph does. The rule's boundary, rebase and penalty ops are built in its own scope, with
 * TensorFlow's symbolic gradient of the penalty beside the rule's closed form.
 */
final class StepHarness implements AutoCloseable {
  final long[][] shapes;
  final Graph graph = new Graph();
  final ConsolidationRule rule;
  final List<Op> consolidate;
  final List<Op> rebase;
  final Penalty.Term penalty;
  final List<Operand<TFloat32>> symbolicPenaltyGradients = new ArrayList<>();
  final Session session;

  private final List<Placeholder<TFloat32>> gradientFeeds = new ArrayList<>();
  private final List<Placeholder<TFloat32>> updateFeeds = new ArrayList<>();
  private final List<Op> applyUpdates = new ArrayList<>();
  private final List<Op> afterStep;

  /**
   * @param config the rule, which must implement {@link AfterStep}, {@link Consolidation} and
   *     {@link Penalty}
   * @param shapes the parameters' shapes
   * @param initSeed seed of the parameters' initial values, uniform in [−1, 1)
   */
  StepHarness(RuleConfig config, long[][] shapes, long initSeed) {
    this.shapes = shapes;
    Ops tf = Ops.create(graph);
    VariableRegistry registry = new VariableRegistry(tf);
    Random random = new Random(initSeed);
    List<Parameter> parameters = new ArrayList<>();
    for (int i = 0; i < shapes.length; i++) {
      Shape shape = Shape.of(shapes[i]);
      double[] values = randomArray(random, (int) shape.size(), 1.0);
      Operand<TFloat32> init = tf.constant(shape, DataBuffers.of(toFloat(values), true, false));
      Variable<TFloat32> theta = registry.create("layer_" + i + "/w", init);
      parameters.add(new Parameter("layer_" + i + "/w", theta, init, shape));
      Placeholder<TFloat32> g = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> u = tf.placeholder(TFloat32.class);
      gradientFeeds.add(g);
      updateFeeds.add(u);
      applyUpdates.add(tf.assignAdd(theta, u));
    }
    rule = config.attach(new RuleConfig.Attachment(registry, parameters));
    // The rules tested here read no loss: any scalar will do.
    afterStep =
        ((AfterStep) rule)
            .afterStep(
                new AfterStep.Context(
                    tf,
                    new ArrayList<>(gradientFeeds),
                    new ArrayList<>(updateFeeds),
                    tf.constant(0f)));
    Ops scope = registry.scope(config.name());
    consolidate = ((Consolidation) rule).consolidate(new Consolidation.Context(scope));
    rebase = rule instanceof Rebase r ? r.rebase(new Rebase.Context(scope)) : List.of();
    penalty = ((Penalty) rule).penalty(new Penalty.Context(scope));
    var symbolic =
        tf.gradients(penalty.value(), parameters.stream().map(Parameter::variable).toList());
    for (int i = 0; i < parameters.size(); i++) {
      symbolicPenaltyGradients.add(symbolic.<TFloat32>dy(i));
    }
    session = new Session(graph);
  }

  /**
   * One optimizer step: applies {@code updates} Δθ to the parameters, then runs the after-step hook
   * with {@code gradients} g and Δθ, each rounded to float as the graph receives it.
   */
  void step(List<double[]> gradients, List<double[]> updates) {
    List<TFloat32> fed = new ArrayList<>();
    try {
      var apply = session.runner();
      var accumulate = session.runner();
      for (int i = 0; i < shapes.length; i++) {
        TFloat32 g = TestTensors.tensor(gradients.get(i), shapes[i]);
        TFloat32 u = TestTensors.tensor(updates.get(i), shapes[i]);
        fed.add(g);
        fed.add(u);
        apply.feed(updateFeeds.get(i), u);
        accumulate.feed(gradientFeeds.get(i), g).feed(updateFeeds.get(i), u);
      }
      applyUpdates.forEach(apply::addTarget);
      afterStep.forEach(accumulate::addTarget);
      apply.run().close();
      accumulate.run().close();
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  /** Runs every op of {@code ops} in one call. */
  void runAll(List<Op> ops) {
    TestTensors.runAll(session, ops);
  }

  /** Fetches a float operand as a flat row-major double array. */
  double[] read(Operand<TFloat32> operand) {
    return TestTensors.read(session, operand);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
