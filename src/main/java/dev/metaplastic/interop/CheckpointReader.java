package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph;
import org.tensorflow.proto.TrackableObjectGraphOuterClass.TrackableObjectGraph.TrackableObject.SerializedTensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Reads values from a TensorFlow 2 SavedModel's checkpoint ({@code variables/variables}) by object
 * id, as its object graph files them: the checkpoint's own {@code _CHECKPOINTABLE_OBJECT_GRAPH}
 * gives each variable object's key, and a {@code RestoreV2} op in a graph of its own reads it. The
 * one owner of that graph and its session; close it.
 */
final class CheckpointReader implements AutoCloseable {
  private static final String OBJECT_GRAPH = "_CHECKPOINTABLE_OBJECT_GRAPH";
  private static final String VARIABLE_VALUE = "VARIABLE_VALUE";

  /** A float tensor, row-major. */
  record Tensor(double[] values, List<Long> shape) {}

  private final Path dir;
  private final String prefix;
  private final Graph graph = new Graph();
  private final Session session = new Session(graph);
  private final Map<Integer, String> keys = new HashMap<>();

  private CheckpointReader(Path dir) {
    this.dir = dir;
    this.prefix = dir.resolve("variables/variables").toString();
  }

  /**
   * Opens the checkpoint of the SavedModel in {@code dir} and reads its object graph.
   *
   * @throws IllegalArgumentException if the checkpoint cannot be read or has no object graph
   */
  static CheckpointReader open(Path dir) {
    CheckpointReader reader = new CheckpointReader(dir);
    try {
      byte[] bytes = reader.readString(OBJECT_GRAPH);
      TrackableObjectGraph objects = TrackableObjectGraph.parseFrom(bytes);
      for (int id = 0; id < objects.getNodesCount(); id++) {
        for (SerializedTensor attribute : objects.getNodes(id).getAttributesList()) {
          if (attribute.getName().equals(VARIABLE_VALUE)) {
            reader.keys.put(id, attribute.getCheckpointKey());
          }
        }
      }
      return reader;
    } catch (InvalidProtocolBufferException e) {
      reader.close();
      throw new IllegalArgumentException(dir + ": its checkpoint's object graph is damaged", e);
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /**
   * The value of the variable object {@code id} of the object graph.
   *
   * @param name the variable's name, for messages
   */
  Tensor readVariable(int id, String name) {
    String key = keys.get(id);
    checkArgument(
        key != null,
        "%s: the checkpoint holds no value for variable %s (object %s)",
        dir,
        name,
        id);
    try (Result result = restore(key, TFloat32.class)) {
      TFloat32 t = (TFloat32) result.get(0);
      float[] values = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(values);
      double[] out = new double[values.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = values[i];
      }
      List<Long> shape = new ArrayList<>();
      for (long d : t.shape().asArray()) {
        shape.add(d);
      }
      return new Tensor(out, shape);
    }
  }

  private byte[] readString(String key) {
    try (Result result = restore(key, TString.class)) {
      return ((TString) result.get(0)).asBytes().getObject();
    }
  }

  /** Runs a restore of one key; the caller closes the result. */
  private Result restore(String key, Class<? extends TType> type) {
    Ops tf = Ops.create(graph);
    var restore =
        tf.train.restore(
            tf.constant(prefix),
            tf.constant(NdArrays.vectorOfObjects(key)),
            tf.constant(NdArrays.vectorOfObjects("")),
            List.of(type));
    try {
      return session.runner().fetch(restore.tensors().get(0)).run();
    } catch (TensorFlowException e) {
      throw new IllegalArgumentException(
          dir
              + ": cannot read "
              + key
              + " from its checkpoint: "
              + SavedModelInfo.oneLine(e.getMessage()),
          e);
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
