package dev.metaplastic.graphs;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;

/** The definitions of TensorFlow's registered ops (their inputs, outputs and attributes). */
public final class OpDefs {
  private static Map<String, OpDef> registry;

  private OpDefs() {}

  /** The definition of an op type, if TensorFlow registers one. */
  public static Optional<OpDef> find(String type) {
    return Optional.ofNullable(registry().get(type));
  }

  /**
   * The definition of an op type.
   *
   * @throws IllegalArgumentException if TensorFlow registers no such op
   */
  public static OpDef get(String type) {
    OpDef def = registry().get(type);
    checkArgument(def != null, "op type %s is not registered in TensorFlow", type);
    return def;
  }

  private static synchronized Map<String, OpDef> registry() {
    if (registry == null) {
      TF_Buffer buffer = tensorflow.TF_GetAllOpList();
      try {
        BytePointer data = new BytePointer(buffer.data()).capacity(buffer.length());
        Map<String, OpDef> all = new HashMap<>();
        for (OpDef def : OpList.parseFrom(data.asByteBuffer()).getOpList()) {
          all.put(def.getName(), def);
        }
        registry = all;
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("TensorFlow's op registry cannot be read", e);
      } finally {
        tensorflow.TF_DeleteBuffer(buffer);
      }
    }
    return registry;
  }
}
