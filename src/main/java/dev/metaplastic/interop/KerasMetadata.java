package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The layer list Keras writes into a SavedModel's {@code keras_metadata.pb}: each layer's class,
 * name and, for {@code Dense} layers, units and activation.
 *
 * <p>The file is a {@code SavedMetadata} protobuf (Keras's {@code saved_metadata.proto}): field 1
 * repeats one node per saved object, whose field 3 is its path ({@code root} for the model) and
 * field 5 a JSON string. The root's JSON holds {@code config.layers}, a list of {@code {class_name,
 * config: {name, units, activation, use_bias, ...}}} in the order Keras applies them, for {@code
 * Sequential} and functional models alike. The few fields needed are read without a generated
 * class.
 */
final class KerasMetadata {
  /** The file name inside a SavedModel directory. */
  static final String FILE = "keras_metadata.pb";

  private static final int NODES = 1;
  private static final int NODE_PATH = 3;
  private static final int NODE_METADATA = 5;
  private static final String ROOT = "root";

  /**
   * One layer of the model's configuration.
   *
   * @param className Keras class, such as {@code Dense}, {@code Flatten}, {@code Conv2D}
   * @param name the layer's name, such as {@code dense_1}; its variables are {@code <name>/kernel}
   * @param activation the {@code activation} setting ({@code relu}, {@code softmax}, {@code
   *     linear}, ...), empty if the layer has none
   * @param units the {@code units} setting of a {@code Dense} layer, 0 otherwise
   * @param useBias the {@code use_bias} setting (true when absent)
   */
  record Layer(String className, String name, String activation, long units, boolean useBias) {}

  private KerasMetadata() {}

  /**
   * The layers of the model saved in {@code dir}, if it has a {@code keras_metadata.pb} that lists
   * them; empty if the file is absent.
   *
   * @throws IllegalArgumentException if the file exists but is not a readable Keras metadata file
   */
  static Optional<List<Layer>> read(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    String json = rootJson(file);
    try {
      JsonObject root = JsonParser.parseString(json).getAsJsonObject();
      JsonObject config = object(root, "config", file);
      JsonElement layers = config.get("layers");
      checkArgument(
          layers != null && layers.isJsonArray(),
          "%s describes a %s without a layer list; only Sequential and functional models import",
          file,
          text(root, "class_name"));
      List<Layer> out = new ArrayList<>();
      for (JsonElement element : (JsonArray) layers) {
        JsonObject layer = element.getAsJsonObject();
        JsonObject layerConfig = object(layer, "config", file);
        JsonElement units = layerConfig.get("units");
        JsonElement useBias = layerConfig.get("use_bias");
        out.add(
            new Layer(
                text(layer, "class_name"),
                text(layerConfig, "name"),
                activation(layerConfig.get("activation")),
                units != null && units.isJsonPrimitive() ? units.getAsLong() : 0,
                useBias == null || !useBias.isJsonPrimitive() || useBias.getAsBoolean()));
      }
      return Optional.of(List.copyOf(out));
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          file + " is not a Keras model description: " + e.getMessage(), e);
    }
  }

  /** The JSON string of the {@code root} node. */
  private static String rootJson(Path file) {
    UnknownFieldSet metadata;
    try {
      metadata = UnknownFieldSet.parseFrom(Files.readAllBytes(file));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(file + " is not a protobuf: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    UnknownFieldSet.Field nodes = metadata.getField(NODES);
    for (ByteString bytes : nodes.getLengthDelimitedList()) {
      UnknownFieldSet node;
      try {
        node = UnknownFieldSet.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(file + " holds a damaged node: " + e.getMessage(), e);
      }
      List<ByteString> path = node.getField(NODE_PATH).getLengthDelimitedList();
      List<ByteString> json = node.getField(NODE_METADATA).getLengthDelimitedList();
      if (!path.isEmpty()
          && path.get(0).toString(StandardCharsets.UTF_8).equals(ROOT)
          && !json.isEmpty()) {
        return json.get(0).toString(StandardCharsets.UTF_8);
      }
    }
    throw new IllegalArgumentException(file + " has no description of the model (no root node)");
  }

  private static JsonObject object(JsonObject parent, String key, Path file) {
    JsonElement value = parent.get(key);
    checkArgument(
        value != null && value.isJsonObject(), "%s: a Keras object lacks its '%s'", file, key);
    return value.getAsJsonObject();
  }

  /**
   * An activation setting: a name such as {@code relu}, the class of a serialized activation
   * object, or empty if absent.
   */
  private static String activation(JsonElement value) {
    if (value == null || value.isJsonNull()) {
      return "";
    }
    if (value.isJsonObject()) {
      String className = text(value.getAsJsonObject(), "class_name");
      return className.isEmpty() ? value.toString() : className;
    }
    return value.getAsString();
  }

  /** A string member, or empty if absent or not a string. */
  private static String text(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
  }
}
