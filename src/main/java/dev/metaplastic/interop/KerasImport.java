package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.proto.Source;
import dev.metaplastic.graphs.proto.VariableMapping;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports a dense classifier saved by Keras (or plain TensorFlow) as a SavedModel, so that
 * continual learning continues in Java from a Python-trained model: {@link #load} reads and checks
 * everything and gives an {@link ImportedModel}; {@link #plan} is its first step, finding the dense
 * layers.
 *
 * <p>Dense layers are found by their variables: a {@code float32} kernel {@code <layer>/kernel}
 * {@code [in, out]} and bias {@code <layer>/bias} {@code [out]}. Optimizer slots and settings
 * ({@code Adam/...}, {@code SGD/...}, and our own {@code adam/...}) and other variables (metric
 * scalars such as {@code total} and {@code count}) are ignored; a kernel of another rank (a
 * convolution's is rank 4) is refused. Layers are ordered by chaining their shapes, the output size
 * of one being the input size of the next; if the shapes allow more than one order (several square
 * layers), the order of the Keras layer names ({@code dense}, {@code dense_1}, {@code dense_2},
 * ...) decides when it is one of them, otherwise the import fails.
 *
 * <p>Layer {@code i} of {@code n} maps to our {@code dense_<i>/kernel} and {@code dense_<i>/bias},
 * and the last to {@code head_0/kernel} and {@code head_0/bias}. Our MLP applies ReLU between
 * layers and its head outputs logits: a source's softmax (Keras {@code activation="softmax"}) is
 * not part of its variables, so the imported head's logits are the source's pre-softmax values, and
 * a drop-in export applies the softmax again (see {@link ImportedModel}).
 *
 * <p>Activations come from {@code keras_metadata.pb} when the SavedModel has one (the JSON layer
 * configurations Keras writes there); without it, the output activation is read from the behaviour
 * of {@code serving_default} on a few probe inputs (rows of non-negative values summing to 1 are
 * probabilities) and the hidden ones are taken to be ReLU. Either way, {@link #load} then checks
 * that our forward pass on the probe inputs reproduces {@code serving_default}.
 */
public final class KerasImport {
  /**
   * First name segments of optimizer variables (Keras slots such as {@code Adam/dense/kernel/m}).
   */
  private static final Set<String> OPTIMIZER_SCOPES =
      Set.of(
          "adam",
          "adamw",
          "adamax",
          "nadam",
          "sgd",
          "rmsprop",
          "adagrad",
          "adadelta",
          "ftrl",
          "lion",
          "momentum",
          "optimizer");

  private static final Pattern KERAS_SUFFIX = Pattern.compile("(.*?)(?:_(\\d+))?");

  /**
   * One value to copy.
   *
   * @param source the variable in the SavedModel, such as {@code dense/kernel}
   * @param target our variable, such as {@code dense_0/kernel}
   * @param shape the shape both have
   */
  public record Mapping(String source, String target, List<Long> shape) {
    /** Copies the shape. */
    public Mapping {
      checkNotNull(source, "source");
      checkNotNull(target, "target");
      shape = List.copyOf(shape);
    }
  }

  /** A dense layer of the source: its variable prefix and sizes. */
  private record Layer(String name, long in, long out) {
    String shapes() {
      return name + " [" + in + ", " + out + "]";
    }
  }

  private final SavedModelInfo model;
  private final List<Layer> layers;
  private final boolean orderedByName;
  private final List<Mapping> mappings;

  private KerasImport(SavedModelInfo model, List<Layer> layers, boolean orderedByName) {
    this.model = model;
    this.layers = List.copyOf(layers);
    this.orderedByName = orderedByName;
    List<Mapping> out = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      String target = i < layers.size() - 1 ? "dense_" + i : "head_0";
      out.add(
          new Mapping(
              layer.name() + "/kernel", target + "/kernel", List.of(layer.in(), layer.out())));
      out.add(new Mapping(layer.name() + "/bias", target + "/bias", List.of(layer.out())));
    }
    this.mappings = List.copyOf(out);
  }

  /** The signature whose interface an import reads and a drop-in export keeps. */
  public static final String SERVING_DEFAULT = "serving_default";

  /** Keras layers without weights that do not change what a dense classifier computes. */
  private static final Set<String> PASS_THROUGH_LAYERS = Set.of("InputLayer", "Flatten", "Dropout");

  private static final String RELU = "relu";
  private static final int PROBES = 8;
  private static final long PROBE_SEED = 20261123L;

  /** Largest difference from {@code serving_default}, relative to max(1, |value|), accepted. */
  private static final double FORWARD_TOLERANCE = 1e-4;

  /**
   * Reads a dense classifier from a Keras (or TensorFlow) SavedModel: its layers and weights, the
   * activations, and the interface of its {@code serving_default} signature, checked against each
   * other; the SavedModel is closed again before this returns and nothing is written.
   *
   * <p>Checks, each failing with one message that names the SavedModel and what does not fit: the
   * dense layers (see {@link #plan}); {@code serving_default} has one float32 input whose examples
   * hold as many values as the first layer takes (such as {@code [-1, 28, 28]} for a 784-input
   * layer) and one float32 output {@code [-1, classes]}; the layers {@code keras_metadata.pb}
   * lists, if present, are dense layers (besides input, flatten and dropout layers) named as the
   * variables, with ReLU hidden activations and a softmax or linear output; and our forward pass on
   * probe inputs gives {@code serving_default}'s outputs.
   *
   * @param dir a SavedModel directory
   * @return the imported model, ready to {@linkplain ImportedModel#open open} as a training model
   * @throws IllegalArgumentException if the directory is not a loadable SavedModel or a check fails
   */
  public static ImportedModel load(Path dir) {
    checkNotNull(dir, "dir");
    try (SavedModelInfo info = SavedModelInfo.open(dir)) {
      KerasImport plan = plan(info);
      MlpSpec spec = plan.spec(0);
      SignatureInfo serving = info.signature(SERVING_DEFAULT);
      TensorInfo input = single(serving.inputs(), "input", dir);
      TensorInfo output = single(serving.outputs(), "output", dir);
      List<Long> exampleShape = exampleShape(input, dir, plan);
      checkArgument(
          output.dtype().equals("float32")
              && output.rankKnown()
              && output.shape().size() == 2
              && List.of(-1L, (long) spec.classesPerHead()).contains(output.shape().get(1)),
          "output '%s' of %s of %s is %s %s; expected float32 [-1, %s] (the last dense layer's"
              + " %s classes)",
          output.key(),
          SERVING_DEFAULT,
          dir,
          output.dtype(),
          output.shapeText(),
          spec.classesPerHead(),
          spec.classesPerHead());
      Map<String, float[]> weights = plan.readWeights();
      float[] probes = probes(spec.inputSize());
      long[] probeShape = new long[exampleShape.size() + 1];
      probeShape[0] = PROBES;
      for (int i = 0; i < exampleShape.size(); i++) {
        probeShape[i + 1] = exampleShape.get(i);
      }
      float[] served =
          info.call(SERVING_DEFAULT, Map.of(input.key(), probes), Map.of(input.key(), probeShape))
              .get(output.key());
      Optional<List<KerasMetadata.Layer>> keras = KerasMetadata.read(dir);
      List<String> activations;
      if (keras.isPresent()) {
        activations = activations(keras.get(), plan, dir);
      } else {
        activations = new ArrayList<>(Collections.nCopies(plan.layers.size() - 1, RELU));
        activations.add(
            isProbabilities(served, spec.classesPerHead()) ? Manifests.SOFTMAX : Manifests.LINEAR);
      }
      String outputActivation = activations.get(activations.size() - 1);
      checkForward(dir, weights, spec, outputActivation, probes, served);
      Source.Builder source =
          Source.newBuilder()
              .setKerasSavedModel(dir.toAbsolutePath().normalize().toString())
              .setInputName(input.key())
              .addAllInputShape(exampleShape)
              .setOutputName(output.key())
              .setOutputActivation(outputActivation)
              .addAllHiddenActivations(activations.subList(0, activations.size() - 1))
              .setActivationsFrom(keras.isPresent() ? KerasMetadata.FILE : SERVING_DEFAULT);
      for (Mapping m : plan.mappings()) {
        source.addMappings(
            VariableMapping.newBuilder()
                .setSource(m.source())
                .setTarget(m.target())
                .addAllShape(m.shape()));
      }
      return new ImportedModel(spec, weights, source.build(), plan.chainDescription());
    }
  }

  private static TensorInfo single(List<TensorInfo> tensors, String what, Path dir) {
    checkArgument(
        tensors.size() == 1,
        "%s of %s has %s %ss %s; a dense classifier has exactly one",
        SERVING_DEFAULT,
        dir,
        tensors.size(),
        what,
        tensors.stream().map(TensorInfo::key).toList());
    return tensors.get(0);
  }

  /** The shape of one input example, checked to hold as many values as the first layer takes. */
  private static List<Long> exampleShape(TensorInfo input, Path dir, KerasImport plan) {
    Layer first = plan.layers.get(0);
    checkArgument(
        input.dtype().equals("float32") && input.rankKnown() && input.shape().size() >= 2,
        "input '%s' of %s of %s is %s %s; expected float32 [-1, ...] holding the %s values its first"
            + " dense layer '%s' takes",
        input.key(),
        SERVING_DEFAULT,
        dir,
        input.dtype(),
        input.shapeText(),
        first.in(),
        first.name());
    List<Long> example = input.shape().subList(1, input.shape().size());
    long values = 1;
    for (long d : example) {
      values = d > 0 ? values * d : -1;
      if (values < 0) {
        break;
      }
    }
    checkArgument(
        values == first.in(),
        "input '%s' of %s of %s has shape %s (%s values per example), but its first dense layer"
            + " '%s' takes %s",
        input.key(),
        SERVING_DEFAULT,
        dir,
        input.shapeText(),
        values < 0 ? "an unknown number of" : values,
        first.name(),
        first.in());
    return List.copyOf(example);
  }

  /**
   * The activation of each dense layer as {@code keras_metadata.pb} gives it, after checking that
   * it lists only supported layers and the dense layers the variables chain.
   */
  private static List<String> activations(
      List<KerasMetadata.Layer> layers, KerasImport plan, Path dir) {
    List<KerasMetadata.Layer> dense = new ArrayList<>();
    for (KerasMetadata.Layer layer : layers) {
      if (layer.className().equals("Dense")) {
        dense.add(layer);
      } else {
        checkArgument(
            PASS_THROUGH_LAYERS.contains(layer.className()),
            "layer '%s' of %s is a %s; only Dense layers (with %s around them) can be imported",
            layer.name(),
            dir,
            layer.className(),
            new TreeSet<>(PASS_THROUGH_LAYERS));
      }
    }
    List<String> names = dense.stream().map(KerasMetadata.Layer::name).toList();
    checkArgument(
        names.equals(plan.layerNames()),
        "%s of %s lists the dense layers %s, but the variables chain as %s",
        KerasMetadata.FILE,
        dir,
        names,
        plan.layerNames());
    List<String> activations = new ArrayList<>();
    for (int i = 0; i < dense.size(); i++) {
      KerasMetadata.Layer layer = dense.get(i);
      String activation = layer.activation();
      if (i < dense.size() - 1) {
        checkArgument(
            activation.equals(RELU),
            "hidden layer '%s' of %s has activation '%s'; our MLP applies ReLU between layers, so"
                + " only relu hidden layers can be imported",
            layer.name(),
            dir,
            activation);
      } else {
        checkArgument(
            activation.equals(Manifests.SOFTMAX) || activation.equals(Manifests.LINEAR),
            "output layer '%s' of %s has activation '%s'; only %s (probabilities) and %s (logits)"
                + " outputs can be imported",
            layer.name(),
            dir,
            activation,
            Manifests.SOFTMAX,
            Manifests.LINEAR);
      }
      activations.add(activation);
    }
    return activations;
  }

  /** {@value #PROBES} probe examples: one all zeros, the others uniform in [0, 1). */
  private static float[] probes(int inputSize) {
    float[] out = new float[PROBES * inputSize];
    SplittableRandom random = new SplittableRandom(PROBE_SEED);
    for (int i = inputSize; i < out.length; i++) {
      out[i] = (float) random.nextDouble();
    }
    return out;
  }

  /** Whether every row of {@code rows} is non-negative and sums to 1: probabilities. */
  private static boolean isProbabilities(float[] rows, int classes) {
    for (int r = 0; r < rows.length / classes; r++) {
      double sum = 0;
      for (int c = 0; c < classes; c++) {
        float p = rows[r * classes + c];
        if (!(p >= 0)) {
          return false;
        }
        sum += p;
      }
      if (Math.abs(sum - 1) > 1e-4) {
        return false;
      }
    }
    return true;
  }

  /**
   * Recomputes the probes' outputs in double precision from {@code weights} (ReLU between layers,
   * then the output activation) and checks them against {@code served}.
   */
  private static void checkForward(
      Path dir,
      Map<String, float[]> weights,
      MlpSpec spec,
      String outputActivation,
      float[] probes,
      float[] served) {
    List<float[]> values = new ArrayList<>(weights.values());
    double worst = 0;
    for (int r = 0; r < PROBES; r++) {
      double[] h = new double[spec.inputSize()];
      for (int i = 0; i < h.length; i++) {
        h[i] = probes[r * h.length + i];
      }
      for (int layer = 0; layer < values.size() / 2; layer++) {
        float[] kernel = values.get(2 * layer);
        float[] bias = values.get(2 * layer + 1);
        double[] z = new double[bias.length];
        for (int o = 0; o < z.length; o++) {
          z[o] = bias[o];
        }
        for (int i = 0; i < h.length; i++) {
          for (int o = 0; o < z.length; o++) {
            z[o] += h[i] * kernel[i * z.length + o];
          }
        }
        boolean hidden = layer < values.size() / 2 - 1;
        for (int o = 0; hidden && o < z.length; o++) {
          z[o] = Math.max(0, z[o]);
        }
        h = z;
      }
      if (outputActivation.equals(Manifests.SOFTMAX)) {
        h = softmax(h);
      }
      for (int c = 0; c < h.length; c++) {
        double value = served[r * h.length + c];
        worst = Math.max(worst, Math.abs(value - h[c]) / Math.max(1, Math.abs(value)));
      }
    }
    checkArgument(
        worst <= FORWARD_TOLERANCE,
        "%s of %s does not compute what its dense layers do with ReLU between them and a %s"
            + " output: on probe inputs it differs by up to %s; it may use other activations or"
            + " layers without variables that cannot be imported",
        SERVING_DEFAULT,
        dir,
        outputActivation,
        String.format(Locale.ROOT, "%.3g", worst));
  }

  private static double[] softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] out = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      out[i] = Math.exp(z[i] - max);
      sum += out[i];
    }
    for (int i = 0; i < z.length; i++) {
      out[i] /= sum;
    }
    return out;
  }

  /**
   * Finds the dense layers of {@code model} and orders them into a chain.
   *
   * @param model an open SavedModel; it must stay open until {@link #readWeights}
   * @return the plan
   * @throws IllegalArgumentException if the model has no dense layer, a kernel that is not [in,
   *     out] (such as a convolution's), a kernel without a matching bias, or layers whose shapes do
   *     not chain in exactly one order; the message names the layers and their shapes
   */
  public static KerasImport plan(SavedModelInfo model) {
    checkNotNull(model, "model");
    List<Layer> found = new ArrayList<>();
    for (VariableInfo v : model.variables()) {
      if (!v.name().endsWith("/kernel") || isOptimizerVariable(v.name())) {
        continue;
      }
      if (!v.isFloat() || v.shape() == null) {
        continue;
      }
      checkArgument(
          v.shape().size() == 2 && v.size() > 0,
          "%s of %s has shape %s: not a dense kernel [in, out] (a convolution's kernel has rank 4);"
              + " only models made of dense layers can be imported",
          v.name(),
          model.directory(),
          v.shapeText());
      String layer = v.name().substring(0, v.name().length() - "/kernel".length());
      long in = v.shape().get(0);
      long out = v.shape().get(1);
      VariableInfo bias = model.variable(layer + "/bias").orElse(null);
      checkArgument(
          bias != null,
          "dense layer '%s' of %s has kernel %s but no bias '%s/bias'; our layers need one",
          layer,
          model.directory(),
          v.shapeText(),
          layer);
      checkArgument(
          bias.isFloat() && List.of(out).equals(bias.shape()),
          "dense layer '%s' of %s has kernel %s %s but bias %s %s; expected a float32 bias [%s]",
          layer,
          model.directory(),
          v.dtype(),
          v.shapeText(),
          bias.dtype(),
          bias.shapeText(),
          out);
      found.add(new Layer(layer, in, out));
    }
    checkArgument(
        !found.isEmpty(),
        "%s has no dense layers: expected float32 variables <layer>/kernel [in, out] and"
            + " <layer>/bias [out]; its variables are %s",
        model.directory(),
        model.variables().stream().map(VariableInfo::name).toList());
    List<Layer> byName = new ArrayList<>(found);
    byName.sort(Comparator.comparing(Layer::name, KerasImport::compareLayerNames));
    List<List<Layer>> chains = new ArrayList<>();
    findChains(new ArrayList<>(), byName, chains);
    String layerList = String.join(", ", byName.stream().map(Layer::shapes).toList());
    checkArgument(
        !chains.isEmpty(),
        "the dense layers of %s do not form a chain in which each layer's output size is the next"
            + " one's input size: %s",
        model.directory(),
        layerList);
    if (chains.size() == 1) {
      return new KerasImport(model, chains.get(0), false);
    }
    checkArgument(
        isChain(byName),
        "the dense layers of %s chain by shape in more than one order, such as %s and %s, and"
            + " their names do not give one: %s",
        model.directory(),
        order(chains.get(0)),
        order(chains.get(1)),
        layerList);
    return new KerasImport(model, byName, true);
  }

  private static boolean isOptimizerVariable(String name) {
    int slash = name.indexOf('/');
    return slash > 0
        && OPTIMIZER_SCOPES.contains(name.substring(0, slash).toLowerCase(Locale.ROOT));
  }

  /** Keras names layers {@code dense}, {@code dense_1}, {@code dense_2}, ...: compare so. */
  private static int compareLayerNames(String a, String b) {
    Matcher ma = KERAS_SUFFIX.matcher(a);
    Matcher mb = KERAS_SUFFIX.matcher(b);
    if (ma.matches() && mb.matches() && ma.group(1).equals(mb.group(1))) {
      long na = ma.group(2) == null ? 0 : Long.parseLong(ma.group(2));
      long nb = mb.group(2) == null ? 0 : Long.parseLong(mb.group(2));
      if (na != nb) {
        return Long.compare(na, nb);
      }
    }
    return a.compareTo(b);
  }

  /** Collects up to two orders of all of {@code remaining} that chain after {@code prefix}. */
  private static void findChains(List<Layer> prefix, List<Layer> remaining, List<List<Layer>> out) {
    if (remaining.isEmpty()) {
      out.add(List.copyOf(prefix));
      return;
    }
    for (int i = 0; i < remaining.size() && out.size() < 2; i++) {
      Layer next = remaining.get(i);
      if (prefix.isEmpty() || prefix.get(prefix.size() - 1).out() == next.in()) {
        List<Layer> rest = new ArrayList<>(remaining);
        rest.remove(i);
        prefix.add(next);
        findChains(prefix, rest, out);
        prefix.remove(prefix.size() - 1);
      }
    }
  }

  private static boolean isChain(List<Layer> layers) {
    for (int i = 1; i < layers.size(); i++) {
      if (layers.get(i - 1).out() != layers.get(i).in()) {
        return false;
      }
    }
    return true;
  }

  private static String order(List<Layer> chain) {
    return String.join(" -> ", chain.stream().map(Layer::name).toList());
  }

  /**
   * Our single-head MLP of the same architecture: input size the first kernel's rows, hidden widths
   * the outputs of all layers but the last, and the last layer's outputs as classes.
   *
   * @param seed seed of the initial weights, which the imported ones ({@link #readWeights})
   *     overwrite
   * @throws IllegalArgumentException if a size does not fit our MLP (over {@code
   *     Integer.MAX_VALUE}, or fewer than 2 classes)
   */
  public MlpSpec spec(long seed) {
    List<Integer> hidden = new ArrayList<>();
    for (Layer layer : layers.subList(0, layers.size() - 1)) {
      hidden.add(toInt(layer.out(), layer));
    }
    Layer first = layers.get(0);
    Layer last = layers.get(layers.size() - 1);
    return new MlpSpec(toInt(first.in(), first), hidden, 1, toInt(last.out(), last), seed);
  }

  private static int toInt(long size, Layer layer) {
    checkArgument(size <= Integer.MAX_VALUE, "layer %s is too large", layer.shapes());
    return (int) size;
  }

  /** Source → target of every kernel and bias, layer by layer. */
  public List<Mapping> mappings() {
    return mappings;
  }

  /** The source layer names in chain order. */
  public List<String> layerNames() {
    return layers.stream().map(Layer::name).toList();
  }

  /**
   * Reads every mapped value from the SavedModel, by our variable name, in mapping order.
   *
   * @throws IllegalArgumentException if a variable cannot be read
   */
  public Map<String, float[]> readWeights() {
    Map<String, float[]> values = new LinkedHashMap<>();
    for (Mapping m : mappings) {
      values.put(m.target(), model.readFloat(m.source()));
    }
    return values;
  }

  /**
   * How the layers were ordered, such as {@code 3 dense layers, chained by shape: dense -> ...}.
   */
  public String chainDescription() {
    return String.format(
        "%d dense layers, chained %s: %s",
        layers.size(),
        orderedByName ? "by name (shapes allow several orders)" : "by shape",
        order(layers));
  }

  @Override
  public String toString() {
    return "KerasImport[" + order(layers) + "]";
  }
}
