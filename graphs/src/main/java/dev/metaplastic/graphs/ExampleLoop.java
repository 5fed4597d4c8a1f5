package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.While;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Runs a rule's per-example importance estimate over every example of a batch, in one graph
 * evaluation: a {@code While} loop whose body is a copy ({@link OpCopier}) of the ops the rule
 * built for one example.
 *
 * <p>The template is the rule's estimate of one example as ordinary graph ops: its objective on the
 * model's logits, the gradients, and {@code AssignAdd(estimate, contribution)} for each estimate
 * variable, reading the example from the training graph's {@code x} (and {@code task}), a seed
 * {@code [2]} and a weight. The loop body copies everything that computes the contributions, with
 * example i of the batch in place of {@code x}, the seed (seed, i), the weight 1/n, and the values
 * of the variables it reads, and adds each contribution to a running sum, in example order,
 * starting from zero; after the loop each sum is added to its estimate variable. With the estimates
 * at zero (as every task boundary leaves them) the result is that of running the template once per
 * example, with seed (seed, i) and weight 1/n, in the same order, to float rounding (TensorFlow
 * runs the body as a function, whose kernels may round a last bit differently).
 */
final class ExampleLoop {
  private ExampleLoop() {}

  /** The per-example template: what it reads and the estimate updates it makes. */
  record Template(
      Placeholder<TFloat32> x,
      Placeholder<TInt32> task,
      Placeholder<TInt64> seed,
      Placeholder<TFloat32> weight,
      List<Op> accumulate) {}

  /**
   * Builds the loop over the examples of {@code batch} and the additions to the estimates.
   *
   * @param copier a copier of the graph, made after the template was built
   * @param tf where the loop's ops go
   * @param name names the loop's functions, such as {@code ewc}
   * @param batch examples [n, inputSize] in the training graph's input units
   * @param tasks each example's head [n], or null for a single-head model
   * @param seed the batch's seed; example i uses (seed, i)
   * @return the number of examples n, available once every estimate has been updated
   */
  static Operand<TInt32> build(
      OpCopier copier,
      Ops tf,
      String name,
      Template template,
      Operand<TFloat32> batch,
      Operand<TInt32> tasks,
      Operand<TInt64> seed) {
    List<Output<TFloat32>> estimates = new ArrayList<>();
    List<Operation> contributions = new ArrayList<>();
    for (Op op : template.accumulate()) {
      GraphOperation add = (GraphOperation) op.op();
      checkState(
          add.type().equals("AssignAdd") && add.numInputs() == 2,
          "an importance estimator must accumulate with AssignAdd, got %s",
          add.type());
      estimates.add(add.input(0).expect(TFloat32.class));
      contributions.add(add.input(1).op());
    }
    List<Operation> inputs = new ArrayList<>(List.of(template.x().op(), template.seed().op()));
    inputs.add(template.weight().op());
    if (template.task() != null) {
      inputs.add(template.task().op());
    }
    List<GraphOperation> body =
        copier.ancestors(
            contributions, op -> inputs.contains(op) || op.type().equals("VariableV2"));
    List<GraphOperation> captured = captured(body, inputs);

    Operand<TInt32> n =
        tf.squeeze(
            tf.slice(tf.shape(batch), tf.constant(new int[] {0}), tf.constant(new int[] {1})));
    Operand<TFloat32> weight = tf.math.div(tf.constant(1f), tf.dtypes.cast(n, TFloat32.class));
    List<Operand<?>> loopVars = new ArrayList<>();
    loopVars.add(tf.constant(0));
    loopVars.add(n);
    for (Output<TFloat32> estimate : estimates) {
      // Fill, not Ops.zeros: a sub-scope scans every op of the graph in TensorFlow Java.
      loopVars.add(tf.fill(tf.constant(estimate.shape()), tf.constant(0f)));
    }
    loopVars.add(batch);
    if (tasks != null) {
      loopVars.add(tasks);
    }
    loopVars.add(seed);
    loopVars.add(weight);
    for (GraphOperation variable : captured) {
      loopVars.add(tf.identity(variable.output(0)));
    }

    ConcreteFunction condition =
        ConcreteFunction.create(
            ops -> {
              List<Placeholder<?>> args = placeholders(ops, loopVars);
              Signature.Builder s = Signature.builder().key(name + "_loop_condition");
              addInputs(s, args);
              Operand<TInt32> i = args.get(0).asOutput().expect(TInt32.class);
              Operand<TInt32> count = args.get(1).asOutput().expect(TInt32.class);
              return s.output("more", ops.math.less(i, count)).build();
            });
    ConcreteFunction step =
        ConcreteFunction.create(
            ops -> {
              List<Placeholder<?>> args = placeholders(ops, loopVars);
              Signature.Builder s = Signature.builder().key(name + "_loop_body");
              addInputs(s, args);
              int at = 2 + estimates.size();
              Operand<TInt32> i = args.get(0).asOutput().expect(TInt32.class);
              Operand<TFloat32> x = args.get(at++).asOutput().expect(TFloat32.class);
              Operand<TInt32> t =
                  tasks != null ? args.get(at++).asOutput().expect(TInt32.class) : null;
              Operand<TInt64> exampleSeed = args.get(at++).asOutput().expect(TInt64.class);
              Operand<TFloat32> w = args.get(at++).asOutput().expect(TFloat32.class);
              Map<Operation, Output<?>> replace = new HashMap<>();
              replace.put(template.x().op(), row(ops, x, i).asOutput());
              if (t != null) {
                replace.put(template.task().op(), row(ops, t, i).asOutput());
              }
              replace.put(
                  template.seed().op(),
                  ops.stack(List.of(exampleSeed, ops.dtypes.cast(i, TInt64.class))).asOutput());
              replace.put(template.weight().op(), w.asOutput());
              for (GraphOperation variable : captured) {
                replace.put(variable, args.get(at++).asOutput());
              }
              Function<Output<?>, Output<?>> outside = o -> replace.get(o.op());
              Map<String, GraphOperation> copies =
                  copier.copy(
                      body,
                      (Graph) ops.scope().env(),
                      "",
                      outside,
                      control -> {
                        throw new IllegalStateException(
                            "an importance estimate waits for " + control.name());
                      },
                      List.of());
              List<Operand<?>> next = new ArrayList<>();
              next.add(ops.math.add(i, ops.constant(1)));
              next.add(ops.identity(args.get(1)));
              for (int k = 0; k < estimates.size(); k++) {
                Output<?> contribution =
                    ((GraphOperation) template.accumulate().get(k).op()).input(1);
                next.add(
                    ops.math.add(
                        args.get(2 + k).asOutput().expect(TFloat32.class),
                        copier.copied(copies, contribution).expect(TFloat32.class)));
              }
              for (int k = 2 + estimates.size(); k < args.size(); k++) {
                next.add(ops.identity(args.get(k)));
              }
              for (int k = 0; k < next.size(); k++) {
                s.output(key(k), next.get(k));
              }
              return s.build();
            });
    While loop = tf.whileOp(loopVars, condition, step);
    List<Op> adds = new ArrayList<>();
    for (int k = 0; k < estimates.size(); k++) {
      adds.add(tf.assignAdd(estimates.get(k), loop.output().get(2 + k).expect(TFloat32.class)));
    }
    return tf.withControlDependencies(adds).identity(n);
  }

  /** The variables the copied ops read, each once, in name order. */
  private static List<GraphOperation> captured(List<GraphOperation> ops, List<Operation> inputs) {
    Set<GraphOperation> body = new HashSet<>(ops);
    Map<String, GraphOperation> variables = new TreeMap<>();
    for (GraphOperation op : ops) {
      checkState(
          !op.type().startsWith("Placeholder"),
          "an importance estimate reads placeholder %s, which the loop does not provide",
          op.name());
      for (int i = 0; i < op.numInputs(); i++) {
        GraphOperation producer = (GraphOperation) op.input(i).op();
        if (producer.type().equals("VariableV2")) {
          variables.put(producer.name(), producer);
        } else {
          checkState(
              inputs.contains(producer) || body.contains(producer),
              "an importance estimate reads %s (%s), which the loop does not provide",
              producer.name(),
              producer.type());
        }
      }
    }
    return new ArrayList<>(variables.values());
  }

  /** Row i of {@code batch} as a batch of one. */
  private static <T extends TType> Operand<T> row(Ops ops, Operand<T> batch, Operand<TInt32> i) {
    return ops.expandDims(ops.gather(batch, i, ops.constant(0)), ops.constant(0));
  }

  private static List<Placeholder<?>> placeholders(Ops ops, List<Operand<?>> like) {
    List<Placeholder<?>> out = new ArrayList<>();
    for (Operand<?> operand : like) {
      Shape shape = operand.shape();
      out.add(placeholder(ops, operand.type(), shape));
    }
    return out;
  }

  private static <T extends TType> Placeholder<T> placeholder(Ops ops, Class<T> type, Shape shape) {
    return ops.placeholder(type, Placeholder.shape(shape));
  }

  private static void addInputs(Signature.Builder s, List<Placeholder<?>> args) {
    for (int k = 0; k < args.size(); k++) {
      s.input(key(k), args.get(k));
    }
  }

  /** Zero-padded, so that key order and position order agree. */
  private static String key(int k) {
    return String.format("v%04d", k);
  }
}
