package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.NativeLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * A SavedModel opened with the tag {@code serve}: its signatures, its variables, calls with float
 * inputs and reads of float variables. Works for SavedModels written by Python TensorFlow 1 and 2,
 * Keras, and this project.
 *
 * <p>The one owner of a {@link SavedModelBundle}; close it with try-with-resources. Opening checks
 * the directory layout before TensorFlow sees it, so that the common mistakes give a message naming
 * the directory and the problem, and it never writes to the directory.
 *
 * <p>Conventions: data types are named as Python names them ({@link #dtypeName}); shapes are lists
 * of dimensions with {@code -1} for an unknown dimension, an empty list for a scalar and {@code
 * null} for an unknown rank.
 *
 * <p>Reading a resource variable adds one {@code ReadVariableOp} to the loaded graph (in a
 * sub-scope of its own, once per variable); nothing else changes the graph. Signatures may be
 * called and variables read from several threads at once, but not while the model is closing.
 */
public final class SavedModelInfo implements AutoCloseable {
  /** The tag every SavedModel is loaded with. */
  public static final String TAG = "serve";

  private static final Pattern DATA_FILE = Pattern.compile("variables\\.data-(\\d{5})-of-(\\d{5})");
  private static final Set<String> REF_VARIABLE_OPS = Set.of("VariableV2", "Variable");
  private static final String RESOURCE_VARIABLE_OP = "VarHandleOp";
  private static final String READ_SCOPE = "metaplastic_read";

  private final Path dir;
  private final SavedModelBundle bundle;
  private final List<SignatureInfo> signatures;
  private final List<VariableInfo> variables;
  private final Map<String, VariableInfo> variablesByName = new LinkedHashMap<>();
  private final Map<String, Output<?>> resourceReads = new HashMap<>();
  private Ops readScope;
  private boolean closed;

  private SavedModelInfo(Path dir, SavedModelBundle bundle) {
    this.dir = dir;
    this.bundle = bundle;
    this.signatures = describeSignatures(bundle);
    this.variables = describeVariables(bundle);
    variables.forEach(v -> variablesByName.put(v.name(), v));
  }

  /**
   * Opens the SavedModel in {@code dir} with the tag {@code serve}, without writing anything to the
   * directory.
   *
   * @param dir a SavedModel directory, holding {@code saved_model.pb} (or {@code
   *     saved_model.pbtxt}) and usually {@code variables/}
   * @return the opened model; the caller closes it
   * @throws IllegalArgumentException if the directory is missing, is not a SavedModel, has an
   *     incomplete {@code variables/} folder, or TensorFlow cannot load it (the message then ends
   *     with TensorFlow's own)
   */
  public static SavedModelInfo open(Path dir) {
    SavedModelBundle bundle = loadBundle(dir);
    try {
      return new SavedModelInfo(dir, bundle);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /**
   * Loads a SavedModel with tag {@value #TAG} after {@link #checkLayout}; a TensorFlow failure
   * (such as a truncated variables file) becomes an {@link IllegalArgumentException} of one line
   * naming the directory. The caller owns the bundle.
   */
  public static SavedModelBundle loadBundle(Path dir) {
    checkNotNull(dir, "dir");
    checkLayout(dir);
    NativeLog.loadTensorFlow();
    try {
      return SavedModelBundle.load(dir.toString(), TAG);
    } catch (TensorFlowException e) {
      throw new InvalidInputException(
          "cannot load SavedModel "
              + dir
              + " (its graph or variables are damaged): "
              + oneLine(e.getMessage()),
          e);
    }
  }

  /**
   * Checks the files TensorFlow will need, so that it is not the one to report them missing: the
   * directory, {@code saved_model.pb}, and a consistent {@code variables/} folder.
   *
   * @throws IllegalArgumentException naming the directory and what is missing
   */
  public static void checkLayout(Path dir) {
    InvalidInputException.check(Files.exists(dir), "SavedModel directory %s does not exist", dir);
    InvalidInputException.check(
        Files.isDirectory(dir),
        "%s is not a directory; a SavedModel is a directory holding saved_model.pb",
        dir);
    InvalidInputException.check(
        Files.isRegularFile(dir.resolve("saved_model.pb"))
            || Files.isRegularFile(dir.resolve("saved_model.pbtxt")),
        "%s is not a SavedModel: no saved_model.pb",
        dir);
    Path variablesDir = dir.resolve("variables");
    if (!Files.isDirectory(variablesDir)) {
      return; // A graph without variables is saved without this folder.
    }
    Map<Integer, Set<Integer>> shards = new TreeMap<>();
    try (Stream<Path> files = Files.list(variablesDir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher m = DATA_FILE.matcher(file.getFileName().toString());
        if (m.matches()) {
          shards
              .computeIfAbsent(Integer.parseInt(m.group(2)), n -> new TreeSet<>())
              .add(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + variablesDir, e);
    }
    boolean hasIndex = Files.isRegularFile(variablesDir.resolve("variables.index"));
    InvalidInputException.check(
        hasIndex || shards.isEmpty(),
        "%s is not a complete SavedModel: variables/ holds data files but no variables.index",
        dir);
    InvalidInputException.check(
        !hasIndex || !shards.isEmpty(),
        "%s is not a complete SavedModel: variables/ holds variables.index but no"
            + " variables.data-* file",
        dir);
    InvalidInputException.check(
        shards.size() <= 1,
        "%s is not a complete SavedModel: variables/ mixes data files of %s shard counts %s",
        dir,
        shards.size(),
        shards.keySet());
    shards.forEach(
        (count, present) -> {
          for (int i = 0; i < count; i++) {
            InvalidInputException.check(
                present.contains(i),
                "%s is not a complete SavedModel: variables/ has no %s",
                dir,
                String.format("variables.data-%05d-of-%05d", i, count));
          }
        });
  }

  /** The directory the model was loaded from. */
  public Path directory() {
    return dir;
  }

  /** The loaded bundle, for uses this class does not cover; owned by this object. */
  public SavedModelBundle bundle() {
    checkOpen();
    return bundle;
  }

  /**
   * Every signature (TensorFlow's internal {@code __saved_model_init_op} excluded), sorted by key;
   * inputs and outputs each sorted by key.
   */
  public List<SignatureInfo> signatures() {
    return signatures;
  }

  /**
   * The signature of that key.
   *
   * @throws IllegalArgumentException naming the available signatures, if there is none
   */
  public SignatureInfo signature(String key) {
    checkNotNull(key, "key");
    return signatures.stream()
        .filter(s -> s.key().equals(key))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    String.format(
                        "SavedModel %s has no signature '%s'; it has %s",
                        dir, key, signatures.stream().map(SignatureInfo::key).toList())));
  }

  /**
   * Calls a signature with float inputs.
   *
   * <p>Every input of the signature must be given, and be {@code float32}. An input's shape is
   * taken from {@code shapes} if given there; otherwise from the declared shape when that has at
   * most one unknown dimension (inferred from the number of values); an input of unknown rank needs
   * its shape in {@code shapes}. A given shape must have the declared rank and agree with every
   * declared dimension.
   *
   * <p>Outputs are returned flattened in row-major order, sorted by key. Only {@code float32}
   * outputs are returned: an output of another data type is computed but left out of the map (read
   * such outputs through {@link #bundle()}).
   *
   * @param signature the signature's key, such as {@code serving_default}
   * @param inputs row-major values of each input, by input key
   * @param shapes dimensions of any input, by input key (may be empty)
   * @return the {@code float32} outputs by output key, each flattened row-major
   * @throws IllegalArgumentException if the signature or an input is unknown, an input is missing,
   *     not {@code float32}, of an incompatible shape or of the wrong number of values, or
   *     TensorFlow fails to run the signature
   */
  public Map<String, float[]> call(
      String signature, Map<String, float[]> inputs, Map<String, long[]> shapes) {
    checkNotNull(inputs, "inputs");
    checkNotNull(shapes, "shapes");
    checkOpen();
    SignatureInfo sig = signature(signature);
    List<String> known = sig.inputs().stream().map(TensorInfo::key).toList();
    for (String key : inputs.keySet()) {
      checkArgument(
          known.contains(key),
          "signature '%s' has no input '%s'; its inputs are %s",
          signature,
          key,
          known);
    }
    for (String key : shapes.keySet()) {
      checkArgument(
          known.contains(key),
          "signature '%s' has no input '%s' to give a shape for; its inputs are %s",
          signature,
          key,
          known);
    }
    Map<String, Shape> feedShapes = new LinkedHashMap<>();
    for (TensorInfo input : sig.inputs()) {
      float[] values = inputs.get(input.key());
      checkArgument(
          values != null,
          "signature '%s' needs input '%s' (%s %s); got %s",
          signature,
          input.key(),
          input.dtype(),
          input.shapeText(),
          inputs.keySet());
      checkArgument(
          input.dtype().equals("float32"),
          "input '%s' of signature '%s' has dtype %s; call() feeds only float32 inputs",
          input.key(),
          signature,
          input.dtype());
      checkArgument(
          !input.tensorName().isEmpty(),
          "input '%s' of signature '%s' is not a dense tensor; call() feeds only dense tensors",
          input.key(),
          signature);
      feedShapes.put(
          input.key(), feedShape(signature, input, values.length, shapes.get(input.key())));
    }
    List<Tensor> feeds = new ArrayList<>();
    try {
      Map<String, Tensor> byKey = new LinkedHashMap<>();
      for (Map.Entry<String, Shape> e : feedShapes.entrySet()) {
        TFloat32 t =
            TFloat32.tensorOf(e.getValue(), DataBuffers.of(inputs.get(e.getKey()), true, false));
        feeds.add(t);
        byKey.put(e.getKey(), t);
      }
      Map<String, float[]> outputs = new TreeMap<>();
      try (Result result = bundle.function(signature).call(byKey)) {
        for (Map.Entry<String, Tensor> e : result) {
          if (e.getValue() instanceof TFloat32 t) {
            outputs.put(e.getKey(), toArray(t));
          }
        }
      } catch (TensorFlowException e) {
        throw new IllegalArgumentException(
            String.format(
                "calling signature '%s' of %s failed: %s", signature, dir, oneLine(e.getMessage())),
            e);
      }
      return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    } finally {
      feeds.forEach(Tensor::close);
    }
  }

  private static Shape feedShape(String signature, TensorInfo input, int count, long[] given) {
    List<Long> declared = input.shape();
    if (given == null) {
      checkArgument(
          declared != null,
          "input '%s' of signature '%s' has unknown rank; give its shape in shapes",
          input.key(),
          signature);
      long known = 1;
      int unknown = -1;
      for (int i = 0; i < declared.size(); i++) {
        if (declared.get(i) < 0) {
          checkArgument(
              unknown < 0,
              "input '%s' of signature '%s' has shape %s with more than one unknown dimension;"
                  + " give its shape in shapes",
              input.key(),
              signature,
              input.shapeText());
          unknown = i;
        } else {
          known *= declared.get(i);
        }
      }
      long[] dims = declared.stream().mapToLong(Long::longValue).toArray();
      if (unknown >= 0) {
        checkArgument(
            known > 0 && count % known == 0,
            "input '%s' of signature '%s' expects shape %s, got %s values, not a multiple of %s",
            input.key(),
            signature,
            input.shapeText(),
            count,
            known);
        dims[unknown] = count / known;
      }
      given = dims;
    }
    List<Long> actual = java.util.Arrays.stream(given).boxed().toList();
    for (long d : given) {
      checkArgument(
          d >= 0,
          "shape %s of input '%s' has a negative dimension",
          shapeText(actual),
          input.key());
    }
    boolean compatible = declared == null || declared.size() == given.length;
    for (int i = 0; compatible && i < given.length; i++) {
      compatible = declared.get(i) < 0 || declared.get(i) == given[i];
    }
    checkArgument(
        compatible,
        "input '%s' of signature '%s' expects shape %s, got %s",
        input.key(),
        signature,
        input.shapeText(),
        shapeText(actual));
    Shape shape = Shape.of(given);
    checkArgument(
        shape.size() == count,
        "input '%s' of signature '%s' has shape %s (%s values), got %s values",
        input.key(),
        signature,
        shapeText(actual),
        shape.size(),
        count);
    return shape;
  }

  /** Every variable op of the graph ({@code VariableV2}, {@code Variable}, {@code VarHandleOp}). */
  public List<VariableInfo> variables() {
    return variables;
  }

  /**
   * The variable of that name, if the graph has one.
   *
   * @param name op name such as {@code dense/kernel}
   */
  public java.util.Optional<VariableInfo> variable(String name) {
    return java.util.Optional.ofNullable(variablesByName.get(name));
  }

  /**
   * Reads a {@code float32} variable's current value, flattened row-major.
   *
   * @param variableName op name such as {@code dense/kernel}
   * @return a new array of the variable's values
   * @throws IllegalArgumentException if there is no such variable or it is not {@code float32}
   */
  public synchronized float[] readFloat(String variableName) {
    VariableInfo info = existing(variableName);
    checkArgument(
        info.isFloat(),
        "variable '%s' of %s has dtype %s; readFloat reads only float32 variables",
        variableName,
        dir,
        info.dtype());
    try (Result result = read(info, TFloat32.class)) {
      return toArray((TFloat32) result.get(0));
    }
  }

  /**
   * Reads a scalar {@code int32}, {@code int64} or {@code bool} variable, such as a step counter.
   *
   * @param variableName op name such as {@code training_steps}
   * @return its value as text: {@code 42}, {@code true}
   * @throws IllegalArgumentException if there is no such variable or it is not a scalar of those
   *     types
   */
  public synchronized String readScalar(String variableName) {
    VariableInfo info = existing(variableName);
    checkArgument(
        info.isIntegerOrBooleanScalar(),
        "variable '%s' of %s is %s %s; readScalar reads only int32, int64 and bool scalars",
        variableName,
        dir,
        info.dtype(),
        info.shapeText());
    Class<? extends TType> type =
        switch (info.dtype()) {
          case "int32" -> TInt32.class;
          case "int64" -> TInt64.class;
          default -> TBool.class;
        };
    try (Result result = read(info, type)) {
      Tensor value = result.get(0);
      if (value instanceof TInt32 i) {
        return Integer.toString(i.getInt());
      }
      if (value instanceof TInt64 l) {
        return Long.toString(l.getLong());
      }
      return Boolean.toString(((TBool) value).getBoolean());
    }
  }

  private VariableInfo existing(String variableName) {
    checkNotNull(variableName, "variableName");
    checkOpen();
    VariableInfo info = variablesByName.get(variableName);
    checkArgument(
        info != null,
        "SavedModel %s has no variable '%s'; it has %s",
        dir,
        variableName,
        variablesByName.keySet());
    return info;
  }

  /** Runs the session to fetch a variable's value, of type {@code type}; the caller closes it. */
  private Result read(VariableInfo info, Class<? extends TType> type) {
    GraphOperation op = bundle.graph().operationOrThrow(info.name());
    Output<?> fetch =
        info.kind().equals(VariableInfo.REF) ? op.output(0) : resourceRead(info.name(), op, type);
    try {
      return bundle.session().runner().fetch(fetch).run();
    } catch (TensorFlowException e) {
      throw new IllegalArgumentException(
          String.format(
              "cannot read variable '%s' of %s: %s", info.name(), dir, oneLine(e.getMessage())),
          e);
    }
  }

  private Output<?> resourceRead(String name, GraphOperation handle, Class<? extends TType> type) {
    Output<?> read = resourceReads.get(name);
    if (read == null) {
      if (readScope == null) {
        readScope = Ops.create(bundle.graph()).withSubScope(freeScopeName());
      }
      read = readScope.readVariableOp(handle.output(0), type).asOutput();
      resourceReads.put(name, read);
    }
    return read;
  }

  /** {@code metaplastic_read}, or {@code metaplastic_read_<n>} if the graph already uses it. */
  private String freeScopeName() {
    Set<String> prefixes = new java.util.HashSet<>();
    for (Iterator<GraphOperation> it = bundle.graph().operations(); it.hasNext(); ) {
      String name = it.next().name();
      int slash = name.indexOf('/');
      prefixes.add(slash < 0 ? name : name.substring(0, slash));
    }
    String candidate = READ_SCOPE;
    for (int n = 1; prefixes.contains(candidate); n++) {
      candidate = READ_SCOPE + "_" + n;
    }
    return candidate;
  }

  private static float[] toArray(TFloat32 t) {
    long size = t.shape().size();
    checkArgument(size <= Integer.MAX_VALUE, "a tensor of %s values is too large to read", size);
    float[] values = new float[(int) size];
    t.asRawTensor().data().asFloats().read(values);
    return values;
  }

  private static List<SignatureInfo> describeSignatures(SavedModelBundle bundle) {
    Map<String, SignatureDef> defs = bundle.metaGraphDef().getSignatureDefMap();
    List<SignatureInfo> out = new ArrayList<>();
    for (Signature s : bundle.signatures()) {
      SignatureDef def = defs.get(s.key());
      if (def == null) {
        continue;
      }
      out.add(
          new SignatureInfo(
              s.key(),
              def.getMethodName(),
              tensors(def.getInputsMap()),
              tensors(def.getOutputsMap())));
    }
    out.sort(Comparator.comparing(SignatureInfo::key));
    return List.copyOf(out);
  }

  private static List<TensorInfo> tensors(Map<String, org.tensorflow.proto.TensorInfo> protos) {
    List<TensorInfo> out = new ArrayList<>();
    new TreeMap<>(protos)
        .forEach(
            (key, proto) ->
                out.add(
                    new TensorInfo(
                        key,
                        proto.getName(),
                        dtypeName(proto.getDtype()),
                        proto.hasTensorShape() ? dims(proto.getTensorShape()) : null)));
    return out;
  }

  private static List<Long> dims(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return null;
    }
    return shape.getDimList().stream().map(TensorShapeProto.Dim::getSize).toList();
  }

  private static List<VariableInfo> describeVariables(SavedModelBundle bundle) {
    List<VariableInfo> out = new ArrayList<>();
    for (Iterator<GraphOperation> it = bundle.graph().operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      String kind;
      if (REF_VARIABLE_OPS.contains(op.type())) {
        kind = VariableInfo.REF;
      } else if (op.type().equals(RESOURCE_VARIABLE_OP)) {
        kind = VariableInfo.RESOURCE;
      } else {
        continue;
      }
      Shape shape = op.attributes().getAttrShape("shape");
      out.add(
          new VariableInfo(
              op.name(),
              dtypeName(op.attributes().getAttrType("dtype")),
              shape.isUnknown() ? null : java.util.Arrays.stream(shape.asArray()).boxed().toList(),
              kind));
    }
    out.sort(Comparator.comparing(VariableInfo::name));
    return List.copyOf(out);
  }

  /**
   * A data type as Python TensorFlow names it: {@code DT_FLOAT} is {@code float32}, {@code
   * DT_DOUBLE} {@code float64}, {@code DT_HALF} {@code float16}, {@code DT_INT64} {@code int64},
   * {@code DT_STRING} {@code string}; a reference type is named as its value type.
   */
  public static String dtypeName(DataType type) {
    String name = type.name();
    if (name.endsWith("_REF")) {
      name = name.substring(0, name.length() - "_REF".length());
    }
    if (name.startsWith("DT_")) {
      name = name.substring("DT_".length());
    }
    return switch (name) {
      case "FLOAT" -> "float32";
      case "DOUBLE" -> "float64";
      case "HALF" -> "float16";
      default -> name.toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** A shape as text: {@code [-1, 28, 28]}, {@code []} for a scalar, {@code <unknown rank>}. */
  public static String shapeText(List<Long> shape) {
    return shape == null ? "<unknown rank>" : shape.toString();
  }

  /** TensorFlow messages span lines (node names on the next); the CLI prints one line. */
  /** A TensorFlow error message on one line, for a user-facing error. */
  public static String oneLine(String message) {
    return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private void checkOpen() {
    checkState(!closed, "SavedModel %s is closed", dir);
  }

  /** Closes the session and graph of the bundle. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      bundle.close();
    }
  }

  @Override
  public String toString() {
    return "SavedModel[" + dir + "]";
  }
}
