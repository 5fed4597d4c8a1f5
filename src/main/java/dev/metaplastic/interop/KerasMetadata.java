package dev.metaplastic.interop;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The model configuration Keras 2 writes into a SavedModel's {@code keras_metadata.pb}, which
 * {@link KerasConfig} reads.
 *
 * <p>The file is a {@code SavedMetadata} protobuf (Keras's {@code saved_metadata.proto}): field 1
 * repeats one node per saved object, whose field 3 is its path ({@code root} for the model) and
 * field 5 a JSON string. The root's JSON is the model's configuration, as a {@code .keras} file's
 * {@code config.json} holds it. The few fields needed are read without a generated class.
 */
final class KerasMetadata {
  /** The file name inside a SavedModel directory. */
  static final String FILE = "keras_metadata.pb";

  private static final int NODES = 1;
  private static final int NODE_PATH = 3;
  private static final int NODE_METADATA = 5;
  private static final String ROOT = "root";

  private KerasMetadata() {}

  /**
   * The JSON configuration of the model: the string of the {@code root} node.
   *
   * @throws IllegalArgumentException if the file is not a readable Keras metadata file
   */
  static String rootJson(Path file) {
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
}
