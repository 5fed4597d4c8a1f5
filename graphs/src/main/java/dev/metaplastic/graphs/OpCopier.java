package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.GraphOperationBuilder;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Copies a part of a graph op for op, into the same graph or another one (such as the body of a
 * loop function), with chosen replacements for the tensors it reads from outside that part.
 *
 * <p>The training graph uses it to run a rule's per-example importance estimate, built once by the
 * rule as ordinary graph ops, over every example of a batch inside a loop, and to build a second
 * task boundary that waits for the estimates: TensorFlow Java, unlike Python, has no control-flow
 * context that would let the rules build those ops in place, and copying the ops keeps a single
 * definition of each computation. A copy carries every attribute of the original (its colocation
 * hints excepted), so it computes exactly what the original does.
 */
final class OpCopier {
  private final Map<String, NodeDef> nodes = new HashMap<>();

  /** A copier of ops of {@code source}, which must not change while the copier is in use. */
  OpCopier(Graph source) {
    source.toGraphDef().getNodeList().forEach(n -> nodes.put(n.getName(), n));
  }

  /**
   * The ops needed to compute {@code targets} (through data and control inputs), in an order where
   * every op comes after its inputs; the search does not enter an op for which {@code stop} holds,
   * and such ops are not listed.
   */
  List<GraphOperation> ancestors(
      Collection<? extends Operation> targets, Predicate<GraphOperation> stop) {
    Set<GraphOperation> done = new LinkedHashSet<>();
    Set<GraphOperation> visiting = new java.util.HashSet<>();
    for (Operation target : targets) {
      visit((GraphOperation) target, stop, done, visiting);
    }
    return new ArrayList<>(done);
  }

  private void visit(
      GraphOperation op,
      Predicate<GraphOperation> stop,
      Set<GraphOperation> done,
      Set<GraphOperation> visiting) {
    if (done.contains(op) || stop.test(op)) {
      return;
    }
    checkState(visiting.add(op), "the graph has a cycle through %s", op.name());
    for (int i = 0; i < op.numInputs(); i++) {
      visit((GraphOperation) op.input(i).op(), stop, done, visiting);
    }
    for (GraphOperation control : sorted(op.controlInputs())) {
      visit(control, stop, done, visiting);
    }
    visiting.remove(op);
    done.add(op);
  }

  /**
   * Copies {@code ops}, listed inputs first as {@link #ancestors} lists them, into {@code target}.
   *
   * @param target the graph to build the copies in (may be the source graph)
   * @param prefix prepended to each copy's name, which must then be free in {@code target}
   * @param outside what a copy reads instead of a tensor made by an op that is not copied; must not
   *     return null
   * @param outsideControl what a copy waits for instead of a control input that is not copied, or
   *     null to drop it
   * @param extraControls ops every copy waits for, in addition to the originals' control inputs
   * @return the copy of each op, by the original's name
   */
  Map<String, GraphOperation> copy(
      List<GraphOperation> ops,
      Graph target,
      String prefix,
      Function<Output<?>, Output<?>> outside,
      Function<GraphOperation, Operation> outsideControl,
      List<? extends Operation> extraControls) {
    Map<String, GraphOperation> copies = new LinkedHashMap<>();
    for (GraphOperation op : ops) {
      NodeDef def = nodes.get(op.name());
      checkState(def != null, "op %s was created after the copier", op.name());
      OpDef opDef = OpDefs.get(def.getOp());
      GraphOperationBuilder builder =
          target.opBuilder(def.getOp(), prefix + def.getName(), target.baseScope());
      int flat = 0;
      for (OpDef.ArgDef arg : opDef.getInputArgList()) {
        int count = listLength(arg, def);
        if (count < 0) {
          builder.addInput(input(op.input(flat++), copies, outside));
        } else {
          Output<?>[] list = new Output<?>[count];
          for (int i = 0; i < count; i++) {
            list[i] = input(op.input(flat++), copies, outside);
          }
          builder.addInputList(list);
        }
      }
      checkState(flat == op.numInputs(), "op %s has inputs its OpDef does not list", op.name());
      for (GraphOperation control : sorted(op.controlInputs())) {
        Operation mapped =
            copies.containsKey(control.name())
                ? copies.get(control.name())
                : outsideControl.apply(control);
        if (mapped != null) {
          builder.addControlInput(mapped);
        }
      }
      extraControls.forEach(builder::addControlInput);
      for (Map.Entry<String, AttrValue> attr : new TreeMap<>(def.getAttrMap()).entrySet()) {
        if (!attr.getKey().startsWith("_")) {
          builder.setAttr(attr.getKey(), attr.getValue());
        }
      }
      copies.put(op.name(), builder.build());
    }
    return copies;
  }

  /** The source graph's output of that op name and index, as copied. */
  Output<?> copied(Map<String, GraphOperation> copies, Output<?> original) {
    GraphOperation copy = copies.get(original.op().name());
    checkArgument(copy != null, "%s was not copied", original.op().name());
    return copy.output(original.index());
  }

  private static Output<?> input(
      Output<?> original,
      Map<String, GraphOperation> copies,
      Function<Output<?>, Output<?>> outside) {
    GraphOperation copy = copies.get(original.op().name());
    if (copy != null) {
      return copy.output(original.index());
    }
    Output<?> replaced = outside.apply(original);
    checkState(replaced != null, "no replacement for %s", original);
    return replaced;
  }

  /** The number of tensors of a list argument, or -1 for a single tensor. */
  private static int listLength(OpDef.ArgDef arg, NodeDef def) {
    if (!arg.getNumberAttr().isEmpty()) {
      return (int) def.getAttrOrThrow(arg.getNumberAttr()).getI();
    }
    if (!arg.getTypeListAttr().isEmpty()) {
      return def.getAttrOrThrow(arg.getTypeListAttr()).getList().getTypeCount();
    }
    return -1;
  }

  private static List<GraphOperation> sorted(Set<GraphOperation> ops) {
    List<GraphOperation> out = new ArrayList<>(ops);
    out.sort(Comparator.comparing(GraphOperation::name));
    return out;
  }
}
