package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.metaplastic.graphs.Activation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a Keras model configuration, the JSON that Keras records in a {@code .keras} file's {@code
 * config.json}, a legacy {@code .h5} file's {@code model_config} attribute and a Keras 2
 * SavedModel's {@code keras_metadata.pb}, into the chain of {@link LayerStep}s it computes at
 * inference, with the layers' weights from a {@link Weights} source.
 *
 * <p>{@code Sequential} models, and functional models whose layers form a chain (each layer's one
 * input is the previous layer's output), of the layers in {@link #SUPPORTED}.
 */
final class KerasConfig {
  /** Layer classes that are the identity at inference, as Keras computes them. */
  private static final List<String> INFERENCE_IDENTITY =
      List.of(
          "Dropout",
          "AlphaDropout",
          "GaussianDropout",
          "GaussianNoise",
          "SpatialDropout1D",
          "ActivityRegularization");

  /** The layer classes that can be imported. */
  static final List<String> SUPPORTED =
      ImmutableList.<String>builder()
          .add(
              "InputLayer",
              "Flatten",
              "Reshape",
              "Dense",
              "Activation",
              "ReLU",
              "LeakyReLU",
              "ELU",
              "Softmax",
              "Rescaling",
              "Normalization",
              "BatchNormalization")
          .addAll(INFERENCE_IDENTITY)
          .build();

  /** Keras' {@code backend.epsilon()}, the floor of Normalization's standard deviation. */
  private static final double KERAS_EPSILON = 1e-7;

  /** One weight of a layer. */
  record Weight(String name, List<Long> shape, float[] values) {}

  /** Where a model's weights are. */
  interface Weights {
    /**
     * The {@code index}-th weight of a layer, in the order Keras creates them (kernel, bias; γ, β,
     * moving mean, moving variance), which the SavedModel of a Keras 2 model names {@code
     * <layer>/<name>}.
     *
     * @param layer the layer's name
     * @param key where a {@code .keras} file keeps the layer's weights ({@link #weightsKey})
     * @throws IllegalArgumentException if the source has no such weight
     */
    Weight get(String layer, String key, int index, String name);
  }

  /**
   * A model read from its configuration.
   *
   * @param inputName the input layer's name (functional models) or {@code keras_tensor}, the input
   *     key Keras 3's {@code model.export} gives a Sequential model
   * @param inputShape one example's shape, or null if the configuration does not record it
   * @param steps the inference pass
   */
  record Model(String inputName, List<Long> inputShape, List<LayerStep> steps) {}

  private KerasConfig() {}

  /**
   * Reads a model from its configuration JSON ({@code {"class_name": ..., "config": {"layers":
   * ...}}}). A file whose configuration records no input shape cannot be imported; see {@link
   * #requireInputShape}.
   *
   * @param source names the file in messages
   * @throws IllegalArgumentException if the configuration is not a chain of supported layers
   */
  static Model read(String json, Weights weights, String source) {
    JsonObject root;
    try {
      root = JsonParser.parseString(json).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException(source + " does not hold a Keras model configuration", e);
    }
    String modelClass = text(root, "class_name");
    JsonObject config = object(root, "config", source);
    JsonElement layersElement = config.get("layers");
    checkArgument(
        layersElement != null && layersElement.isJsonArray(),
        "%s describes a %s without a layer list; only Sequential and functional models import",
        source,
        modelClass);
    List<JsonObject> layers = new ArrayList<>();
    for (JsonElement e : layersElement.getAsJsonArray()) {
      layers.add(e.getAsJsonObject());
    }
    boolean sequential = modelClass.equals("Sequential");
    if (!sequential) {
      checkChain(layers, source);
    }
    List<Long> inputShape = null;
    String inputName = "keras_tensor";
    List<LayerStep> steps = new ArrayList<>();
    Map<String, Integer> classCounts = new HashMap<>();
    for (JsonObject layer : layers) {
      String className = text(layer, "class_name");
      JsonObject c = object(layer, "config", source);
      String name = text(c, "name");
      checkArgument(
          SUPPORTED.contains(className),
          "%s: layer '%s' is a %s, which cannot be imported; supported layers: %s (in a chain)",
          source,
          name,
          className,
          String.join(", ", SUPPORTED));
      String weightsKey = weightsKey(className, classCounts);
      if (inputShape == null) {
        inputShape = shape(c, source);
      }
      if (className.equals("InputLayer")) {
        if (!sequential) {
          inputName = name;
        }
        continue;
      }
      steps.addAll(steps(className, name, weightsKey, c, weights, source));
    }
    return new Model(inputName, inputShape, steps);
  }

  /**
   * The model's input shape.
   *
   * @throws IllegalArgumentException if the configuration does not record it
   */
  static List<Long> requireInputShape(Model model, String source) {
    checkArgument(
        model.inputShape() != null,
        "%s: the configuration records no input shape (build the model on a keras.Input before"
            + " saving it)",
        source);
    return model.inputShape();
  }

  /** The steps of one layer. */
  private static List<LayerStep> steps(
      String className, String name, String key, JsonObject c, Weights weights, String source) {
    return switch (className) {
      case "Flatten" -> List.of(new LayerStep.Reshape(name, null));
      case "Reshape" -> {
        List<Long> target = longs(c.get("target_shape"));
        yield List.of(new LayerStep.Reshape(name, target));
      }
      case "Dense" -> {
        Weight kernel = weights.get(name, key, 0, "kernel");
        checkArgument(
            kernel.shape().size() == 2,
            "%s: the kernel of dense layer '%s' has shape %s",
            source,
            name,
            kernel.shape());
        List<LayerStep> out = new ArrayList<>();
        out.add(
            new LayerStep.MatMul(
                name,
                kernel.name(),
                kernel.shape().get(0).intValue(),
                kernel.shape().get(1).intValue(),
                kernel.values()));
        if (bool(c, "use_bias", true)) {
          Weight bias = weights.get(name, key, 1, "bias");
          out.add(
              new LayerStep.Affine(
                  name, "bias", bias.shape(), null, doubles(bias.values()), List.of(bias.name())));
        }
        Activation activation = activation(c.get("activation"), name, source);
        if (!activation.isLinear()) {
          out.add(
              new LayerStep.Act(name, activation)); // A linear one leaves room for BN, Activation.
        }
        yield out;
      }
      case "Activation" ->
          List.of(new LayerStep.Act(name, activation(c.get("activation"), name, source)));
      case "ReLU" -> {
        checkArgument(
            isNullOrZero(c, "max_value")
                && isNullOrZero(c, "negative_slope")
                && isNullOrZero(c, "threshold"),
            "%s: ReLU layer '%s' has a max_value, negative_slope or threshold; only plain ReLU"
                + " imports",
            source,
            name);
        yield List.of(new LayerStep.Act(name, Activation.RELU));
      }
      case "LeakyReLU" -> {
        JsonElement slope = c.has("negative_slope") ? c.get("negative_slope") : c.get("alpha");
        yield List.of(
            new LayerStep.Act(
                name, Activation.leakyRelu(slope == null ? 0.3 : slope.getAsDouble())));
      }
      case "ELU" -> {
        JsonElement alpha = c.get("alpha");
        yield List.of(
            new LayerStep.Act(name, Activation.elu(alpha == null ? 1 : alpha.getAsDouble())));
      }
      case "Softmax" -> {
        checkLastAxis(c, "Softmax", name, source);
        yield List.of(new LayerStep.Act(name, Activation.SOFTMAX));
      }
      case "Rescaling" -> List.of(rescaling(name, c));
      case "Normalization" -> List.of(normalization(name, key, c, weights, source));
      case "BatchNormalization" -> List.of(batchNormalization(name, key, c, weights, source));
      default -> {
        checkArgument(
            INFERENCE_IDENTITY.contains(className), "unhandled layer class %s", className);
        yield List.of(new LayerStep.Identity(name, className));
      }
    };
  }

  private static LayerStep rescaling(String name, JsonObject c) {
    double[] scale = numbers(c.get("scale"));
    double[] offset = numbers(c.get("offset"));
    int size = Math.max(scale.length, offset.length);
    double[] s = new double[size];
    double[] o = new double[size];
    for (int i = 0; i < size; i++) {
      s[i] = scale[scale.length == 1 ? 0 : i];
      o[i] = offset[offset.length == 1 ? 0 : i];
    }
    List<Long> shape = size == 1 ? List.of() : List.of((long) size);
    return new LayerStep.Affine(name, "Rescaling", shape, s, o, List.of());
  }

  /** (x − mean) / max(√variance, ε), Keras 3's formula. */
  private static LayerStep normalization(
      String name, String key, JsonObject c, Weights weights, String source) {
    checkArgument(
        !bool(c, "invert", false),
        "%s: Normalization layer '%s' inverts (denormalizes); only the forward one imports",
        source,
        name);
    checkLastAxis(c, "Normalization", name, source);
    double[] mean;
    double[] variance;
    List<Long> shape;
    List<String> variables;
    JsonElement m = c.get("mean");
    if (m != null && !m.isJsonNull()) {
      mean = numbers(m);
      variance = numbers(c.get("variance"));
      variables = List.of();
    } else {
      Weight meanWeight = weights.get(name, key, 0, "mean");
      Weight varianceWeight = weights.get(name, key, 1, "variance");
      mean = doubles(meanWeight.values());
      variance = doubles(varianceWeight.values());
      variables = List.of(meanWeight.name(), varianceWeight.name());
    }
    shape = List.of((long) mean.length);
    double[] scale = new double[mean.length];
    double[] offset = new double[mean.length];
    for (int i = 0; i < mean.length; i++) {
      scale[i] = 1 / Math.max(Math.sqrt(variance[variance.length == 1 ? 0 : i]), KERAS_EPSILON);
      offset[i] = -mean[i] * scale[i];
    }
    return new LayerStep.Affine(name, "Normalization", shape, scale, offset, variables);
  }

  /** γ (x − mean) / √(variance + ε) + β, BatchNormalization at inference. */
  private static LayerStep batchNormalization(
      String name, String key, JsonObject c, Weights weights, String source) {
    checkLastAxis(c, "BatchNormalization", name, source);
    boolean scaled = bool(c, "scale", true);
    boolean centered = bool(c, "center", true);
    double epsilon = c.has("epsilon") ? c.get("epsilon").getAsDouble() : 1e-3;
    int index = 0;
    List<String> variables = new ArrayList<>();
    Weight gamma = scaled ? weights.get(name, key, index++, "gamma") : null;
    Weight beta = centered ? weights.get(name, key, index++, "beta") : null;
    Weight mean = weights.get(name, key, index++, "moving_mean");
    Weight variance = weights.get(name, key, index, "moving_variance");
    for (Weight w : new Weight[] {gamma, beta, mean, variance}) {
      if (w != null) {
        variables.add(w.name());
      }
    }
    int n = mean.values().length;
    double[] scale = new double[n];
    double[] offset = new double[n];
    for (int i = 0; i < n; i++) {
      double g = gamma == null ? 1 : gamma.values()[i];
      double b = beta == null ? 0 : beta.values()[i];
      scale[i] = g / Math.sqrt(variance.values()[i] + epsilon);
      offset[i] = b - mean.values()[i] * scale[i];
    }
    return new LayerStep.Affine(
        name, "BatchNormalization", List.of((long) n), scale, offset, variables);
  }

  /**
   * The key Keras 3 files a layer's weights under in {@code model.weights.h5}: the class name in
   * snake case, with {@code _<k>} for the k-th later layer of the same class (as Keras' {@code
   * naming.to_snake_case} and its saving library name them).
   */
  static String weightsKey(String className, Map<String, Integer> counts) {
    String snake =
        className
            .replaceAll("\\W+", "")
            .replaceAll("(.)([A-Z][a-z]+)", "$1_$2")
            .replaceAll("([a-z])([A-Z])", "$1_$2")
            .toLowerCase(Locale.ROOT);
    int k = counts.merge(snake, 1, Integer::sum) - 1;
    return k == 0 ? snake : snake + "_" + k;
  }

  /** Checks that a functional model's layers form a chain, each fed by the one before it. */
  private static void checkChain(List<JsonObject> layers, String source) {
    String previous = null;
    for (JsonObject layer : layers) {
      String name = text(object(layer, "config", source), "name");
      List<String> inbound = inbound(layer.get("inbound_nodes"));
      if (previous != null) {
        checkArgument(
            inbound.size() == 1 && inbound.get(0).equals(previous),
            "%s: layer '%s' (%s) takes its input from %s, not from the layer before it ('%s');"
                + " only models whose layers form a chain import (no branches, no merges)",
            source,
            name,
            text(layer, "class_name"),
            inbound,
            previous);
      }
      previous = name;
    }
  }

  /** The names of the layers feeding a layer, in Keras 3's or Keras 2's inbound-node format. */
  private static List<String> inbound(JsonElement nodes) {
    List<String> names = new ArrayList<>();
    if (nodes == null || !nodes.isJsonArray()) {
      return names;
    }
    for (JsonElement node : nodes.getAsJsonArray()) {
      collectHistory(node, names);
    }
    return names;
  }

  private static void collectHistory(JsonElement e, List<String> names) {
    if (e.isJsonObject()) {
      JsonObject o = e.getAsJsonObject();
      if (o.has("keras_history")) {
        names.add(o.getAsJsonArray("keras_history").get(0).getAsString());
        return;
      }
      o.entrySet().forEach(entry -> collectHistory(entry.getValue(), names));
    } else if (e.isJsonArray()) {
      JsonArray a = e.getAsJsonArray();
      if (a.size() >= 3
          && a.get(0).isJsonPrimitive()
          && a.get(0).getAsJsonPrimitive().isString()
          && a.get(1).isJsonPrimitive()
          && a.get(1).getAsJsonPrimitive().isNumber()) {
        names.add(a.get(0).getAsString());
        return;
      }
      a.forEach(child -> collectHistory(child, names));
    }
  }

  /** One example's shape from an input layer's (or first layer's) recorded batch shape, or null. */
  private static List<Long> shape(JsonObject c, String source) {
    for (String key : List.of("batch_shape", "batch_input_shape")) {
      JsonElement e = c.get(key);
      if (e != null && e.isJsonObject() && e.getAsJsonObject().has("items")) {
        e = e.getAsJsonObject().get("items"); // Keras 2 writes a tuple as {"items": [...]}.
      }
      if (e != null && e.isJsonArray()) {
        List<Long> dims = new ArrayList<>();
        JsonArray a = e.getAsJsonArray();
        for (int i = 1; i < a.size(); i++) {
          checkArgument(
              !a.get(i).isJsonNull(),
              "%s: the input shape %s has an unknown dimension; only fixed-size inputs import",
              source,
              a);
          dims.add(a.get(i).getAsLong());
        }
        return dims;
      }
    }
    return null;
  }

  private static Activation activation(JsonElement e, String layer, String source) {
    String name;
    if (e == null || e.isJsonNull()) {
      name = "linear";
    } else if (e.isJsonPrimitive()) {
      name = e.getAsString();
    } else {
      JsonObject o = e.getAsJsonObject();
      JsonElement inner = o.get("config");
      name = inner != null && inner.isJsonPrimitive() ? inner.getAsString() : text(o, "class_name");
    }
    try {
      return Activation.parse(name);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(
          source + ": layer '" + layer + "': " + ex.getMessage(), ex);
    }
  }

  /**
   * Refuses a layer of {@code className} that normalizes over another axis than the last (or over
   * several), the only one our per-feature steps can express.
   */
  private static void checkLastAxis(JsonObject c, String className, String name, String source) {
    JsonElement axis = c.get("axis");
    boolean last =
        axis == null
            || axis.isJsonNull()
            || (axis.isJsonArray()
                ? axis.getAsJsonArray().size() == 1 && axis.getAsJsonArray().get(0).getAsInt() == -1
                : axis.getAsInt() == -1);
    checkArgument(
        last,
        "%s: %s layer '%s' normalizes over axis %s; only the last axis imports",
        source,
        className,
        name,
        axis);
  }

  private static boolean isNullOrZero(JsonObject c, String key) {
    JsonElement e = c.get(key);
    return e == null || e.isJsonNull() || e.getAsDouble() == 0;
  }

  private static boolean bool(JsonObject c, String key, boolean absent) {
    JsonElement e = c.get(key);
    return e == null || e.isJsonNull() ? absent : e.getAsBoolean();
  }

  private static List<Long> longs(JsonElement e) {
    List<Long> out = new ArrayList<>();
    e.getAsJsonArray().forEach(v -> out.add(v.getAsLong()));
    return out;
  }

  private static double[] numbers(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return new double[] {0};
    }
    if (e.isJsonPrimitive()) {
      return new double[] {e.getAsDouble()};
    }
    List<Double> flat = new ArrayList<>();
    flatten(e, flat);
    return flat.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static void flatten(JsonElement e, List<Double> out) {
    if (e.isJsonArray()) {
      e.getAsJsonArray().forEach(v -> flatten(v, out));
    } else {
      out.add(e.getAsDouble());
    }
  }

  private static double[] doubles(float[] values) {
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  private static JsonObject object(JsonObject parent, String key, String source) {
    JsonElement value = parent.get(key);
    checkArgument(
        value != null && value.isJsonObject(), "%s: a Keras object lacks its '%s'", source, key);
    return value.getAsJsonObject();
  }

  private static String text(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
  }
}
