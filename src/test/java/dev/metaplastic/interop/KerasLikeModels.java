package dev.metaplastic.interop;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.metaplastic.ops.VariableRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Writes small SavedModels shaped like Keras dense classifiers, with chosen sizes and activations,
 * and optionally a {@code keras_metadata.pb} describing them: fixtures for what the two real Keras
 * models cannot show.
 */
public final class KerasLikeModels {
  /**
   * One dense layer: Keras name, output width and activation ({@code relu}, {@code tanh}, {@code
   * softmax}, {@code sigmoid}, {@code relu6} or {@code linear}).
   */
  public record Dense(String name, int units, String activation) {}

  private KerasLikeModels() {}

  /**
   * Exports a model whose {@code serving_default} takes {@code input} float32 [-1, inputShape...],
   * flattens it and applies {@code layers}, returning output {@code output}. Weights are small
   * seeded random values.
   *
   * @param dir the directory to create
   */
  public static Path export(
      Path dir, String input, long[] inputShape, List<Dense> layers, String output) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      VariableRegistry variables = new VariableRegistry(tf);
      long[] dims = new long[inputShape.length + 1];
      dims[0] = -1;
      long in = 1;
      for (int i = 0; i < inputShape.length; i++) {
        dims[i + 1] = inputShape[i];
        in *= inputShape[i];
      }
      Placeholder<TFloat32> x =
          tf.withName("serving_input")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
      Operand<TFloat32> h = tf.reshape(x, tf.constant(new long[] {-1, in}));
      SplittableRandom random = new SplittableRandom(in);
      for (Dense layer : layers) {
        Operand<TFloat32> kernel =
            variables.create(
                layer.name() + "/kernel", values(tf, random, Shape.of(in, layer.units())));
        Operand<TFloat32> bias =
            variables.create(layer.name() + "/bias", values(tf, random, Shape.of(layer.units())));
        Operand<TFloat32> z = tf.nn.biasAdd(tf.linalg.matMul(h, kernel), bias);
        h =
            switch (layer.activation()) {
              case "relu" -> tf.nn.relu(z);
              case "tanh" -> tf.math.tanh(z);
              case "softmax" -> tf.nn.softmax(z);
              case "sigmoid" -> tf.math.sigmoid(z);
              case "relu6" -> tf.nn.relu6(z);
              default -> z;
            };
        in = layer.units();
      }
      try (Session session = new Session(graph)) {
        session.initialize();
        SavedModelBundle.exporter(dir.toString())
            .withSession(session)
            .withSignature(
                Signature.builder()
                    .key("serving_default")
                    .input(input, x)
                    .output(output, tf.withName("serving_output").identity(h))
                    .build())
            .export();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static Operand<TFloat32> values(Ops tf, SplittableRandom random, Shape shape) {
    float[] values = new float[(int) shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (random.nextDouble() - 0.5) * 0.2f;
    }
    return tf.constant(shape, DataBuffers.of(values, true, false));
  }

  /**
   * Writes a {@code keras_metadata.pb} into {@code dir} whose root node lists an {@code
   * InputLayer}, then one layer per entry of {@code layers}: {@code {class name, layer name,
   * activation}} (the import reads only these).
   */
  static void writeMetadata(Path dir, List<String[]> layers) {
    List<String> json = new ArrayList<>();
    json.add("{\"class_name\": \"InputLayer\", \"config\": {\"name\": \"input_1\"}}");
    for (String[] layer : layers) {
      json.add(
          String.format(
              "{\"class_name\": \"%s\", \"config\": {\"name\": \"%s\", \"units\": 1,"
                  + " \"activation\": \"%s\", \"use_bias\": true}}",
              layer[0], layer[1], layer[2]));
    }
    String model =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": ["
            + String.join(", ", json)
            + "]}}";
    UnknownFieldSet root =
        UnknownFieldSet.newBuilder()
            .addField(3, lengthDelimited(ByteString.copyFromUtf8("root")))
            .addField(4, lengthDelimited(ByteString.copyFromUtf8("_tf_keras_sequential")))
            .addField(5, lengthDelimited(ByteString.copyFromUtf8(model)))
            .build();
    UnknownFieldSet file =
        UnknownFieldSet.newBuilder().addField(1, lengthDelimited(root.toByteString())).build();
    try {
      Files.write(dir.resolve("keras_metadata.pb"), file.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static UnknownFieldSet.Field lengthDelimited(ByteString bytes) {
    return UnknownFieldSet.Field.newBuilder().addLengthDelimited(bytes).build();
  }
}
