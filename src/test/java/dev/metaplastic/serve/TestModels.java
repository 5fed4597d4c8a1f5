package dev.metaplastic.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Tiny SavedModels with known weights, written with TensorFlow Java, and their probabilities
 * computed in plain Java: a 4 → 3 dense layer per head, two heads, selected per example by a
 * one-hot mask of {@code task} as {@code dev.metaplastic.graphs.Mlp} does.
 */
public final class TestModels {
  /** Features per example. */
  public static final int INPUT_SIZE = 4;

  /** Classes per head. */
  public static final int CLASSES = 3;

  /** Heads of the multi-head model. */
  public static final int HEADS = 2;

  private static final float[][][] KERNELS = {
    {
      {0.5f, -0.25f, 0.125f},
      {-1.0f, 0.75f, 0.3f},
      {0.2f, 0.1f, -0.6f},
      {0.05f, -0.4f, 0.9f},
    },
    {
      {-0.3f, 0.6f, 0.2f},
      {0.8f, -0.1f, -0.5f},
      {0.15f, 0.35f, 0.45f},
      {-0.7f, 0.25f, 0.05f},
    },
  };

  private static final float[][] BIASES = {{0.1f, -0.2f, 0.05f}, {-0.15f, 0.0f, 0.3f}};

  private TestModels() {}

  /** Writes the two-head model, whose signature has inputs {@code x} and {@code task}. */
  public static Path multiHead(Path dir) {
    return export(dir, true, "serving_default", "x", "probabilities");
  }

  /** Writes the single-head model (head 0's weights), whose signature has input {@code x} only. */
  public static Path singleHead(Path dir) {
    return export(dir, false, "serving_default", "x", "probabilities");
  }

  /**
   * Writes a single-head model with one signature, named and shaped as given, for tests of bad
   * models.
   */
  public static Path export(
      Path dir, boolean multiHead, String signatureKey, String xName, String probabilitiesName) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x =
          tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, INPUT_SIZE)));
      Placeholder<TInt32> task =
          multiHead
              ? tf.withName("task").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)))
              : null;
      List<Operand<TFloat32>> perHead = new ArrayList<>();
      for (int h = 0; h < (multiHead ? HEADS : 1); h++) {
        Operand<TFloat32> kernel =
            tf.withName("head_" + h + "_kernel").variable(tf.constant(KERNELS[h]));
        Operand<TFloat32> bias =
            tf.withName("head_" + h + "_bias").variable(tf.constant(BIASES[h]));
        perHead.add(tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias));
      }
      Operand<TFloat32> selected = perHead.get(0);
      if (multiHead) {
        Operand<TFloat32> mask =
            tf.expandDims(
                tf.linalg.transpose(
                    tf.oneHot(task, tf.constant(HEADS), tf.constant(1f), tf.constant(0f)),
                    tf.constant(new int[] {1, 0})),
                tf.constant(-1));
        selected = tf.reduceSum(tf.math.mul(tf.stack(perHead), mask), tf.constant(0));
      }
      Operand<TFloat32> logits = tf.withName("logits").identity(selected);
      Operand<TFloat32> probabilities = tf.withName("probabilities").nn.softmax(logits);
      Signature.Builder signature = Signature.builder().key(signatureKey).input(xName, x);
      if (multiHead) {
        signature.input("task", task);
      }
      signature.output(probabilitiesName, probabilities).output("logits", logits);
      try (Session session = new Session(graph)) {
        SavedModelBundle.exporter(dir.toString())
            .withSession(session)
            .withFunction(SessionFunction.create(signature.build(), session))
            .export();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** Probabilities of one example through head {@code head}, in double precision. */
  public static double[] expected(float[] x, int head) {
    double[] logits = new double[CLASSES];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < CLASSES; c++) {
      double z = BIASES[head][c];
      for (int i = 0; i < INPUT_SIZE; i++) {
        z += (double) x[i] * KERNELS[head][i][c];
      }
      logits[c] = z;
      max = Math.max(max, z);
    }
    double sum = 0;
    for (int c = 0; c < CLASSES; c++) {
      logits[c] = Math.exp(logits[c] - max);
      sum += logits[c];
    }
    for (int c = 0; c < CLASSES; c++) {
      logits[c] /= sum;
    }
    return logits;
  }

  /** A deterministic example, different for each {@code seed}. */
  public static float[] example(int seed) {
    float[] x = new float[INPUT_SIZE];
    for (int i = 0; i < INPUT_SIZE; i++) {
      x[i] = ((seed * 31 + i * 17) % 23) / 7f - 1.5f;
    }
    return x;
  }
}
