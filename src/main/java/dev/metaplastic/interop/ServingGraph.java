package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.graphs.Activation;
import dev.metaplastic.graphs.OpDefs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedConcreteFunction;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObject;
import org.tensorflow.proto.SavedObjectGraphOuterClass.SavedObjectGraph;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorProto;

/**
 * Reads a dense model's inference pass from the ops of a SavedModel's {@code serving_default}: the
 * record a SavedModel keeps of what it computes when it has no Keras configuration (Keras 3's
 * {@code model.export} and {@code tf.saved_model.save}, plain TensorFlow models).
 *
 * <p>From the signature's output back to its input, through {@code PartitionedCall}s into the
 * functions of the graph's library, each op on the path from the input becomes a {@link LayerStep}:
 * {@code MatMul} with a constant kernel a dense layer, {@code BiasAdd} and element-wise {@code
 * Add}/{@code Sub}/{@code Mul}/{@code RealDiv} with a constant operand an affine step (a bias, a
 * batch normalization, a rescaling), {@code Reshape} a reshape, and the activation ops Keras emits
 * (ReLU, GELU as its erf formula, tanh, sigmoid, ELU, SELU, SiLU as x·sigmoid(x), softplus, leaky
 * ReLU, softmax) an activation. Constant operands are evaluated from their ops ({@code Const},
 * variable reads, and the arithmetic of a batch normalization's inference formula), in double
 * precision. Variables are read by the name the SavedModel gives them: a TensorFlow 1 graph's
 * variable ops from the loaded model; a TensorFlow 2 function's captured variables, through the
 * object graph's bound inputs, from the checkpoint under their object-graph keys (the handles Keras
 * 3 names after its layers are never restored).
 */
final class ServingGraph {
  /**
   * The model a serving graph computes.
   *
   * @param inputName the signature's input key
   * @param inputShape one example's shape
   * @param outputName the signature's output key
   * @param steps the inference pass
   */
  record Model(String inputName, List<Long> inputShape, String outputName, List<LayerStep> steps) {}

  /**
   * A function body entered from a call op, or the top-level graph when {@code fn} is null; one
   * object per call site (compared by identity).
   */
  private static final class Frame {
    final FunctionDef fn;
    final Frame parent;
    final Ref call;
    final Map<String, NodeDef> nodes = new HashMap<>();

    Frame(FunctionDef fn, Frame parent, Ref call, List<NodeDef> nodeList) {
      this.fn = fn;
      this.parent = parent;
      this.call = call;
      nodeList.forEach(n -> nodes.put(n.getName(), n));
    }

    boolean isGraph() {
      return fn == null;
    }
  }

  /** A call site: the frame it is in and the call op's name. */
  private record CallSite(Frame frame, String node) {}

  /**
   * An op's output in a frame; for a function argument, {@code node} is null and {@code index} the
   * argument's position.
   */
  private record Ref(Frame frame, String node, int index) {}

  /** A constant's value, row-major, with the variables it was computed from. */
  private record Value(double[] data, List<Long> shape, Set<String> variables) {}

  private static final Set<String> ELEMENTWISE_ACTIVATIONS =
      Set.of("Relu", "Tanh", "Sigmoid", "Elu", "Selu", "Softplus", "Softmax", "LeakyRelu");

  /** Every op type that may lie on the path from the input to the output. */
  private static final Set<String> PATH_OPS =
      Set.of(
          "Reshape",
          "Cast",
          "StopGradient",
          "Snapshot",
          "EnsureShape",
          "MatMul",
          "BiasAdd",
          "AddV2",
          "Add",
          "Sub",
          "Mul",
          "RealDiv",
          "Div",
          "Neg",
          "Erf",
          "Erfc",
          "Greater",
          "SelectV2",
          "Select",
          "Relu",
          "Tanh",
          "Sigmoid",
          "Elu",
          "Selu",
          "Softplus",
          "Softmax",
          "LeakyRelu");

  private final Path dir;
  private final SavedModelInfo loaded;
  private final Map<String, FunctionDef> functions = new HashMap<>();
  private final SavedObjectGraph objects;
  private final Frame graph;
  private final String inputNode;
  private final Map<Ref, Boolean> fromInput = new HashMap<>();
  private final Map<CallSite, Frame> frames = new HashMap<>();
  private CheckpointReader checkpoint;

  private ServingGraph(Path dir, SavedModelInfo loaded, MetaGraphDef meta, String inputNode) {
    this.dir = dir;
    this.loaded = loaded;
    meta.getGraphDef()
        .getLibrary()
        .getFunctionList()
        .forEach(f -> functions.put(f.getSignature().getName(), f));
    this.objects = meta.getObjectGraphDef();
    this.graph = new Frame(null, null, null, meta.getGraphDef().getNodeList());
    this.inputNode = inputNode;
  }

  /**
   * Reads the model {@code serving_default} of the SavedModel in {@code dir} computes.
   *
   * @param loaded the same SavedModel, loaded, to read TensorFlow 1 variables from
   * @throws IllegalArgumentException if the signature does not have one input and one output, or an
   *     op on its path is not part of a dense chain that can be imported; the message names it
   */
  static Model read(Path dir, SavedModelInfo loaded) {
    MetaGraphDef meta = metaGraph(dir);
    SignatureDef signature = meta.getSignatureDefMap().get(KerasImport.SERVING_DEFAULT);
    checkArgument(
        signature != null,
        "SavedModel %s has no %s signature, so nothing records what it computes",
        dir,
        KerasImport.SERVING_DEFAULT);
    checkArgument(
        signature.getInputsCount() == 1 && signature.getOutputsCount() == 1,
        "%s of %s has inputs %s and outputs %s; a dense classifier has one of each",
        KerasImport.SERVING_DEFAULT,
        dir,
        signature.getInputsMap().keySet(),
        signature.getOutputsMap().keySet());
    var input = signature.getInputsMap().entrySet().iterator().next();
    var output = signature.getOutputsMap().entrySet().iterator().next();
    List<Long> inputShape = new ArrayList<>();
    var dims = input.getValue().getTensorShape().getDimList();
    for (int i = 1; i < dims.size(); i++) {
      checkArgument(
          dims.get(i).getSize() > 0,
          "input '%s' of %s of %s has an unknown dimension; only fixed-size inputs import",
          input.getKey(),
          KerasImport.SERVING_DEFAULT,
          dir);
      inputShape.add(dims.get(i).getSize());
    }
    String inputNode = nodeName(input.getValue().getName());
    ServingGraph g = new ServingGraph(dir, loaded, meta, inputNode);
    try {
      List<LayerStep> steps = g.steps(g.graphRef(output.getValue().getName()));
      return new Model(input.getKey(), inputShape, output.getKey(), steps);
    } finally {
      if (g.checkpoint != null) {
        g.checkpoint.close();
      }
    }
  }

  /** The steps from the input to {@code output}, in order. */
  private List<LayerStep> steps(Ref output) {
    List<LayerStep> reversed = new ArrayList<>();
    Ref t = canonical(output);
    Set<Ref> path = ancestors(t);
    path.add(t);
    for (Ref r : path) {
      if (!isInput(r)) {
        NodeDef n = node(r);
        checkArgument(
            PATH_OPS.contains(n.getOp()),
            "%s: op '%s' (%s) of %s is not part of a dense layer chain that can be imported"
                + " (supported: Dense with %s, Flatten, Reshape, Rescaling, Normalization,"
                + " BatchNormalization, and layers that are the identity at inference)",
            dir,
            n.getName(),
            n.getOp(),
            KerasImport.SERVING_DEFAULT,
            String.join(", ", Activation.NAMES));
      }
    }
    while (!isInput(t)) {
      NodeDef n = node(t);
      List<Ref> tainted = new ArrayList<>();
      List<Ref> inputs = inputs(t);
      for (Ref r : inputs) {
        if (fromInput(r)) {
          tainted.add(r);
        }
      }
      checkArgument(
          !tainted.isEmpty(),
          "%s: %s of %s does not depend on its input",
          dir,
          KerasImport.SERVING_DEFAULT,
          dir);
      if (tainted.size() > 1) {
        Ref join = join(tainted);
        reversed.add(new LayerStep.Act(layerOf(n.getName()), composite(join, t)));
        t = join;
        continue;
      }
      Ref x = tainted.get(0);
      int position = inputs.indexOf(x);
      Ref other = inputs.size() > 1 ? inputs.get(1 - Math.min(position, 1)) : null;
      String op = n.getOp();
      String layer = layerOf(n.getName());
      switch (op) {
        case "Reshape" -> reversed.add(new LayerStep.Reshape(layer, reshapeTarget(inputs.get(1))));
        case "Cast", "StopGradient", "Snapshot", "EnsureShape" -> {}
        case "MatMul" -> reversed.add(matMul(n, inputs, position));
        case "BiasAdd", "AddV2", "Add" -> {
          Value c = evaluate(other);
          reversed.add(
              new LayerStep.Affine(
                  variableLayer(c, layer),
                  op.equals("BiasAdd") ? "bias" : className(c),
                  c.shape(),
                  null,
                  c.data(),
                  List.copyOf(c.variables())));
        }
        case "Sub" -> {
          Value c = evaluate(other);
          double[] scale = new double[c.data().length];
          double[] offset = c.data().clone();
          java.util.Arrays.fill(scale, position == 0 ? 1 : -1);
          if (position == 0) {
            for (int i = 0; i < offset.length; i++) {
              offset[i] = -offset[i];
            }
          }
          reversed.add(affine(layer, c, scale, offset));
        }
        case "Mul" -> {
          Value c = evaluate(other);
          reversed.add(affine(layer, c, c.data(), new double[c.data().length]));
        }
        case "RealDiv", "Div" -> {
          checkArgument(
              position == 0, "%s: op %s divides a constant by the input", dir, n.getName());
          Value c = evaluate(other);
          double[] scale = new double[c.data().length];
          for (int i = 0; i < scale.length; i++) {
            scale[i] = 1 / c.data()[i];
          }
          reversed.add(affine(layer, c, scale, new double[scale.length]));
        }
        default -> {
          checkArgument(
              ELEMENTWISE_ACTIVATIONS.contains(op),
              "%s: op '%s' (%s) of %s is not part of a dense layer chain that can be imported"
                  + " (supported: Dense with %s, Flatten, Reshape, Rescaling, Normalization,"
                  + " BatchNormalization, and layers that are the identity at inference)",
              dir,
              n.getName(),
              op,
              KerasImport.SERVING_DEFAULT,
              String.join(", ", Activation.NAMES));
          reversed.add(new LayerStep.Act(layer, activation(n)));
        }
      }
      t = canonical(x);
    }
    Collections.reverse(reversed);
    return reversed;
  }

  private LayerStep matMul(NodeDef n, List<Ref> inputs, int position) {
    checkArgument(
        position == 0 && !attr(n, "transpose_a").getB(),
        "%s: MatMul %s multiplies a constant by the input",
        dir,
        n.getName());
    Value k = evaluate(inputs.get(1));
    checkArgument(
        k.shape().size() == 2, "%s: the kernel of %s has shape %s", dir, n.getName(), k.shape());
    int rows = k.shape().get(0).intValue();
    int cols = k.shape().get(1).intValue();
    boolean transposed = attr(n, "transpose_b").getB();
    int in = transposed ? cols : rows;
    int out = transposed ? rows : cols;
    float[] kernel = new float[in * out];
    for (int i = 0; i < in; i++) {
      for (int j = 0; j < out; j++) {
        kernel[i * out + j] = (float) k.data()[transposed ? j * cols + i : i * cols + j];
      }
    }
    String variable =
        k.variables().isEmpty() ? n.getName() + " (a constant)" : String.join(", ", k.variables());
    return new LayerStep.MatMul(variableLayer(k, layerOf(n.getName())), variable, in, out, kernel);
  }

  private static LayerStep affine(String layer, Value c, double[] scale, double[] offset) {
    return new LayerStep.Affine(
        variableLayer(c, layer),
        className(c),
        c.shape(),
        scale,
        offset,
        List.copyOf(c.variables()));
  }

  /**
   * The Keras class an affine step's constant most likely comes from, for the printed account:
   * {@code BatchNormalization} if it reads a batch normalization's variables, {@code Normalization}
   * for an adapted normalization's, {@code constant} (Rescaling and the like) if it reads none.
   */
  private static String className(Value c) {
    if (c.variables().isEmpty()) {
      return "constant";
    }
    boolean batchNorm =
        c.variables().stream()
            .anyMatch(v -> v.matches(".*/(gamma|beta|moving_mean|moving_variance)(:0)?"));
    return batchNorm ? "BatchNormalization" : "Normalization";
  }

  /** The activation a single op computes. */
  private Activation activation(NodeDef n) {
    return switch (n.getOp()) {
      case "Relu" -> Activation.RELU;
      case "Tanh" -> Activation.parse("tanh");
      case "Sigmoid" -> Activation.parse("sigmoid");
      case "Elu" -> Activation.parse("elu");
      case "Selu" -> Activation.parse("selu");
      case "Softplus" -> Activation.parse("softplus");
      case "Softmax" -> Activation.SOFTMAX;
      case "LeakyRelu" ->
          Activation.leakyRelu(n.containsAttr("alpha") ? n.getAttrOrThrow("alpha").getF() : 0.2);
      default -> throw new IllegalStateException("unhandled activation op " + n.getOp());
    };
  }

  /**
   * The activation computed by the ops between {@code join} (exclusive) and {@code end}
   * (inclusive), recognized by their types and constants: GELU (an erf or erfc formula), SiLU
   * (x·sigmoid(β·x) with β = 1), ELU with α ≠ 1 (select(x > 0, x, α·elu(x))).
   */
  private Activation composite(Ref join, Ref end) {
    Set<Ref> before = ancestors(join);
    before.add(join);
    Set<Ref> region = ancestors(end);
    region.add(end);
    region.removeAll(before);
    Map<String, Integer> types = new TreeMap<>();
    List<Double> constants = new ArrayList<>();
    for (Ref r : region) {
      NodeDef n = node(r);
      types.merge(n.getOp(), 1, Integer::sum);
      for (Ref in : inputs(r)) {
        if (!fromInput(in)) {
          Value v = evaluate(in);
          if (v.data().length == 1) {
            constants.add(v.data()[0]);
          }
        }
      }
    }
    String layer = layerOf(node(end).getName());
    Set<String> ops = types.keySet();
    checkArgument(
        !ops.contains("MatMul"),
        "%s: %s branches before op '%s' (%s) and merges there; only models whose layers form a"
            + " chain import (no branches, no merges)",
        dir,
        KerasImport.SERVING_DEFAULT,
        node(end).getName(),
        node(end).getOp());
    if ((ops.contains("Erf") || ops.contains("Erfc"))
        && Set.of("Mul", "Neg", "Erf", "Erfc", "AddV2", "Add", "RealDiv").containsAll(ops)) {
      return Activation.parse("gelu");
    }
    if (ops.equals(Set.of("Mul", "Sigmoid")) && constants.stream().allMatch(c -> c == 1.0)) {
      return Activation.parse("silu");
    }
    if (ops.equals(Set.of("Elu", "Greater", "Mul", "SelectV2")) && constants.size() >= 1) {
      double alpha = constants.stream().filter(c -> c != 0.0).findFirst().orElse(1.0);
      return Activation.elu(alpha);
    }
    throw new IllegalArgumentException(
        String.format(
            "%s: the ops %s after layer '%s' compute an activation this import does not know"
                + " (supported: %s; GELU only in its exact form)",
            dir, types, layer, String.join(", ", Activation.NAMES)));
  }

  /** The nearest op output that every one of {@code tainted} depends on. */
  private Ref join(List<Ref> tainted) {
    Set<Ref> common = null;
    for (Ref r : tainted) {
      Set<Ref> a = ancestors(r);
      a.add(r);
      if (common == null) {
        common = a;
      } else {
        common.retainAll(a);
      }
    }
    for (Ref candidate : common) {
      Set<Ref> a = ancestors(candidate);
      a.add(candidate);
      if (a.containsAll(common)) {
        return candidate;
      }
    }
    throw new IllegalArgumentException(
        dir + ": the ops of " + KerasImport.SERVING_DEFAULT + " branch");
  }

  /** Every op output from the input that {@code r} depends on, through data inputs. */
  private Set<Ref> ancestors(Ref r) {
    Set<Ref> seen = new LinkedHashSet<>();
    List<Ref> stack = new ArrayList<>(List.of(r));
    while (!stack.isEmpty()) {
      Ref t = stack.remove(stack.size() - 1);
      if (isInput(t)) {
        continue;
      }
      for (Ref in : inputs(t)) {
        if (fromInput(in) && seen.add(in)) {
          stack.add(in);
        }
      }
    }
    return seen;
  }

  /** Whether {@code r} depends on the signature's input. */
  private boolean fromInput(Ref r) {
    Ref c = canonical(r);
    Boolean known = fromInput.get(c);
    if (known != null) {
      return known;
    }
    boolean result;
    if (isInput(c)) {
      result = true;
    } else if (c.node() == null) {
      result = false; // A captured variable of a top-level function.
    } else {
      NodeDef n = node(c);
      checkArgument(
          !n.getOp().startsWith("Placeholder"),
          "%s: %s reads placeholder %s besides its input",
          dir,
          KerasImport.SERVING_DEFAULT,
          n.getName());
      result = false;
      for (Ref in : inputs(c)) {
        if (!n.getOp().equals("Shape") && fromInput(in)) {
          result = true;
          break;
        }
      }
    }
    fromInput.put(c, result);
    return result;
  }

  private boolean isInput(Ref r) {
    return r.frame().isGraph() && inputNode.equals(r.node());
  }

  /**
   * Follows identities and calls to the op that computes {@code r}: into a called function's return
   * value, out of a function's argument to the caller's input.
   */
  private Ref canonical(Ref r) {
    while (true) {
      if (r.node() == null) {
        Frame f = r.frame();
        if (f.parent.isGraph() && capturedVariable(f, r.index()) != null) {
          return r;
        }
        r = rawInputs(f.call).get(r.index());
        continue;
      }
      NodeDef n = node(r);
      switch (n.getOp()) {
        case "Identity", "IdentityN" -> r = rawInputs(r).get(r.index());
        case "StatefulPartitionedCall", "PartitionedCall" -> {
          FunctionDef fn = function(attr(n, "f").getFunc().getName());
          String ret = fn.getRetOrThrow(fn.getSignature().getOutputArg(r.index()).getName());
          Ref call = r;
          Frame body =
              frames.computeIfAbsent(
                  new CallSite(r.frame(), r.node()),
                  site -> new Frame(fn, call.frame(), call, fn.getNodeDefList()));
          r = parse(body, ret);
        }
        default -> {
          return r;
        }
      }
    }
  }

  /** The object-graph id of the variable an argument of a top-level function captures, or null. */
  private Integer capturedVariable(Frame f, int arg) {
    SavedConcreteFunction concrete =
        objects.getConcreteFunctionsMap().get(f.fn.getSignature().getName());
    if (concrete == null) {
      return null;
    }
    int args = f.fn.getSignature().getInputArgCount();
    int first = args - concrete.getBoundInputsCount();
    return arg >= first ? concrete.getBoundInputs(arg - first) : null;
  }

  /** The data inputs of the op that computes {@code r}, each {@link #canonical}. */
  private List<Ref> inputs(Ref r) {
    return rawInputs(r).stream().map(this::canonical).toList();
  }

  private List<Ref> rawInputs(Ref r) {
    NodeDef n = node(r);
    List<Ref> out = new ArrayList<>();
    for (String in : n.getInputList()) {
      if (!in.startsWith("^")) {
        out.add(parse(r.frame(), in));
      }
    }
    return out;
  }

  /**
   * A reference to an input string of a graph ({@code node:k}) or function ({@code node:arg:k}).
   */
  private Ref parse(Frame frame, String in) {
    if (frame.isGraph()) {
      return graphRef(in);
    }
    String[] parts = in.split(":");
    if (parts.length == 1) {
      List<OpDef.ArgDef> args = frame.fn.getSignature().getInputArgList();
      for (int i = 0; i < args.size(); i++) {
        if (args.get(i).getName().equals(in)) {
          return new Ref(frame, null, i);
        }
      }
      throw new IllegalStateException("function input " + in + " is not an argument");
    }
    NodeDef n = frame.nodes.get(parts[0]);
    checkArgument(
        n != null,
        "%s: function %s has no op %s",
        dir,
        frame.fn.getSignature().getName(),
        parts[0]);
    int index = Integer.parseInt(parts[2]);
    int offset = 0;
    for (OpDef.ArgDef arg : OpDefs.get(n.getOp()).getOutputArgList()) {
      if (arg.getName().equals(parts[1])) {
        return new Ref(frame, parts[0], offset + index);
      }
      offset += outputCount(arg, n);
    }
    throw new IllegalStateException("op " + n.getName() + " has no output " + parts[1]);
  }

  private static int outputCount(OpDef.ArgDef arg, NodeDef n) {
    if (!arg.getNumberAttr().isEmpty()) {
      return (int) n.getAttrOrThrow(arg.getNumberAttr()).getI();
    }
    if (!arg.getTypeListAttr().isEmpty()) {
      return n.getAttrOrThrow(arg.getTypeListAttr()).getList().getTypeCount();
    }
    return 1;
  }

  private Ref graphRef(String tensor) {
    String[] parts = tensor.split(":");
    return new Ref(graph, parts[0], parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
  }

  private NodeDef node(Ref r) {
    NodeDef n = r.frame().nodes.get(r.node());
    checkArgument(n != null, "%s: the graph has no op %s", dir, r.node());
    return n;
  }

  private FunctionDef function(String name) {
    FunctionDef fn = functions.get(name);
    checkArgument(
        fn != null, "%s: the graph calls function %s, which it does not define", dir, name);
    return fn;
  }

  /** The value of a tensor that does not depend on the input. */
  private Value evaluate(Ref r) {
    Ref c = canonical(r);
    if (c.node() == null) {
      return variableValue(capturedVariable(c.frame(), c.index()));
    }
    NodeDef n = node(c);
    switch (n.getOp()) {
      case "Const":
        return constant(attr(n, "value").getTensor());
      case "VariableV2", "VarHandleOp", "Variable":
        return graphVariable(n.getName());
      case "ReadVariableOp", "Cast", "Snapshot", "StopGradient":
        return evaluate(inputs(c).get(0));
      case "Reshape":
        {
          Value v = evaluate(inputs(c).get(0));
          Value shape = evaluate(inputs(c).get(1));
          List<Long> dims = new ArrayList<>();
          long known = 1;
          int unknown = -1;
          for (int i = 0; i < shape.data().length; i++) {
            long d = (long) shape.data()[i];
            dims.add(d);
            if (d < 0) {
              unknown = i;
            } else {
              known *= d;
            }
          }
          if (unknown >= 0) {
            dims.set(unknown, v.data().length / known);
          }
          return new Value(v.data(), dims, v.variables());
        }
      case "Neg", "Rsqrt", "Sqrt", "Reciprocal", "Square", "Exp", "Log":
        return unary(n.getOp(), evaluate(inputs(c).get(0)));
      case "AddV2", "Add", "Sub", "Mul", "RealDiv", "Div", "Maximum", "Minimum":
        return binary(n.getOp(), evaluate(inputs(c).get(0)), evaluate(inputs(c).get(1)));
      default:
        throw new IllegalArgumentException(
            String.format(
                "%s: op '%s' (%s) computes a constant of %s this import cannot evaluate",
                dir, n.getName(), n.getOp(), KerasImport.SERVING_DEFAULT));
    }
  }

  private static Value unary(String op, Value v) {
    double[] out = new double[v.data().length];
    for (int i = 0; i < out.length; i++) {
      double x = v.data()[i];
      out[i] =
          switch (op) {
            case "Neg" -> -x;
            case "Rsqrt" -> 1 / Math.sqrt(x);
            case "Sqrt" -> Math.sqrt(x);
            case "Reciprocal" -> 1 / x;
            case "Square" -> x * x;
            case "Exp" -> Math.exp(x);
            default -> Math.log(x);
          };
    }
    return new Value(out, v.shape(), v.variables());
  }

  /** An element-wise binary op with NumPy broadcasting. */
  private Value binary(String op, Value a, Value b) {
    int rank = Math.max(a.shape().size(), b.shape().size());
    List<Long> shape = new ArrayList<>();
    for (int k = 0; k < rank; k++) {
      long da = dim(a.shape(), k, rank);
      long db = dim(b.shape(), k, rank);
      checkArgument(
          da == db || da == 1 || db == 1,
          "%s: shapes %s and %s do not broadcast",
          dir,
          a.shape(),
          b.shape());
      shape.add(Math.max(da, db));
    }
    int size = 1;
    for (long d : shape) {
      size *= (int) d;
    }
    double[] out = new double[size];
    for (int e = 0; e < size; e++) {
      double x = a.data()[index(e, shape, a.shape())];
      double y = b.data()[index(e, shape, b.shape())];
      out[e] =
          switch (op) {
            case "AddV2", "Add" -> x + y;
            case "Sub" -> x - y;
            case "Mul" -> x * y;
            case "Maximum" -> Math.max(x, y);
            case "Minimum" -> Math.min(x, y);
            default -> x / y;
          };
    }
    Set<String> variables = new LinkedHashSet<>(a.variables());
    variables.addAll(b.variables());
    return new Value(out, shape, variables);
  }

  private static long dim(List<Long> shape, int k, int rank) {
    int i = k - (rank - shape.size());
    return i < 0 ? 1 : shape.get(i);
  }

  /** The position in a broadcast operand of {@code shape} of element {@code e} of {@code full}. */
  private static int index(int e, List<Long> full, List<Long> shape) {
    int rank = full.size();
    long rest = e;
    long index = 0;
    long stride = 1;
    for (int k = rank - 1; k >= 0; k--) {
      long coordinate = rest % full.get(k);
      rest /= full.get(k);
      long d = dim(shape, k, rank);
      if (d != 1) {
        index += coordinate * stride;
      }
      stride *= d;
    }
    return (int) index;
  }

  /** The target shape of a Reshape without the batch dimension, or null if not constant. */
  private List<Long> reshapeTarget(Ref shape) {
    if (fromInput(shape)) {
      return null;
    }
    try {
      Value v = evaluate(shape);
      List<Long> dims = new ArrayList<>();
      for (int i = 1; i < v.data().length; i++) {
        dims.add((long) v.data()[i]);
      }
      return dims.contains(-1L) ? null : dims;
    } catch (IllegalArgumentException e) {
      return null; // Such as Flatten's shape, computed from the input's dynamic shape.
    }
  }

  /**
   * The value of an object a top-level function captures: a variable's from the checkpoint, or a
   * captured constant's (such as an adapted Normalization's mean) from its op in the graph.
   */
  private Value variableValue(int objectId) {
    SavedObject object = objects.getNodes(objectId);
    if (object.hasConstant()) {
      return evaluate(graphRef(object.getConstant().getOperation()));
    }
    checkArgument(
        object.hasVariable(),
        "%s: a function of %s captures object %s, which is neither a variable nor a constant",
        dir,
        KerasImport.SERVING_DEFAULT,
        objectId);
    String name = object.getVariable().getName();
    if (checkpoint == null) {
      checkpoint = CheckpointReader.open(dir);
    }
    CheckpointReader.Tensor t = checkpoint.readVariable(objectId, name);
    return new Value(t.values(), t.shape(), Set.of(name));
  }

  private Value graphVariable(String name) {
    VariableInfo info =
        loaded
            .variable(name)
            .orElseThrow(() -> new IllegalArgumentException(dir + " has no variable " + name));
    float[] values = loaded.readFloat(name);
    double[] data = new double[values.length];
    for (int i = 0; i < data.length; i++) {
      data[i] = values[i];
    }
    return new Value(data, info.shape(), Set.of(name));
  }

  private Value constant(TensorProto t) {
    List<Long> shape = new ArrayList<>();
    t.getTensorShape().getDimList().forEach(d -> shape.add(d.getSize()));
    int size = 1;
    for (long d : shape) {
      size *= (int) d;
    }
    double[] data = new double[size];
    ByteBuffer content = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    DataType type = t.getDtype();
    List<Number> listed = new ArrayList<>();
    switch (type) {
      case DT_FLOAT -> listed.addAll(t.getFloatValList());
      case DT_DOUBLE -> listed.addAll(t.getDoubleValList());
      case DT_INT32 -> listed.addAll(t.getIntValList());
      case DT_INT64 -> listed.addAll(t.getInt64ValList());
      default ->
          throw new IllegalArgumentException(
              dir + ": a constant of type " + type + " is not supported by this import");
    }
    for (int i = 0; i < size; i++) {
      if (content.hasRemaining()) {
        data[i] =
            switch (type) {
              case DT_FLOAT -> content.getFloat();
              case DT_DOUBLE -> content.getDouble();
              case DT_INT32 -> content.getInt();
              default -> content.getLong();
            };
      } else if (!listed.isEmpty()) {
        data[i] = listed.get(Math.min(i, listed.size() - 1)).doubleValue();
      }
    }
    return new Value(data, shape, Set.of());
  }

  private static AttrValue attr(NodeDef n, String name) {
    return n.getAttrOrDefault(name, AttrValue.getDefaultInstance());
  }

  /**
   * The layer an op belongs to, from its name: {@code sequential_1/dense_1/MatMul} → {@code
   * dense_1}.
   */
  private static String layerOf(String opName) {
    String[] parts = opName.split("/");
    return parts.length >= 2 ? parts[parts.length - 2] : opName;
  }

  /**
   * The layer a constant's variables belong to: {@code sequential/dense/kernel} → {@code dense}.
   */
  private static String variableLayer(Value v, String fallback) {
    if (v.variables().isEmpty()) {
      return fallback;
    }
    String[] parts = v.variables().iterator().next().split("/");
    return parts.length >= 2 ? parts[parts.length - 2] : fallback;
  }

  private static String nodeName(String tensor) {
    int colon = tensor.indexOf(':');
    return colon < 0 ? tensor : tensor.substring(0, colon);
  }

  private static MetaGraphDef metaGraph(Path dir) {
    SavedModel savedModel;
    try (InputStream in = Files.newInputStream(dir.resolve("saved_model.pb"))) {
      savedModel = SavedModel.parseFrom(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          dir + "/saved_model.pb cannot be read: " + e.getMessage(), e);
    }
    for (MetaGraphDef meta : savedModel.getMetaGraphsList()) {
      if (meta.getMetaInfoDef().getTagsList().contains(SavedModelInfo.TAG)) {
        return meta;
      }
    }
    throw new IllegalArgumentException(dir + " has no meta graph tagged " + SavedModelInfo.TAG);
  }
}
