package dev.metaplastic.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/** Moving values between plain-Java double arrays and a session, for the rules' equation tests. */
final class TestTensors {
  private TestTensors() {}

  /** Runs every op of {@code ops} in one call. */
  static void runAll(Session session, List<Op> ops) {
    var runner = session.runner();
    ops.forEach(runner::addTarget);
    runner.run().close();
  }

  /** Fetches a float operand as a flat row-major double array. */
  static double[] read(Session session, Operand<TFloat32> operand) {
    try (var result = session.runner().fetch(operand).run()) {
      return toDoubles((TFloat32) result.get(0));
    }
  }

  /** A float tensor's values as a flat row-major double array. */
  static double[] toDoubles(TFloat32 t) {
    float[] values = new float[(int) t.shape().size()];
    t.asRawTensor().data().asFloats().read(values);
    double[] out = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }

  /** Equal within a relative tolerance of 1e-5 (absolute below magnitude 1). */
  static void assertClose(double[] expected, double[] actual, String what) {
    assertClose(expected, actual, 1e-5, what);
  }

  /** Equal within a relative tolerance of {@code tolerance} (absolute below magnitude 1). */
  static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    for (int i = 0; i < expected.length; i++) {
      double allowed = tolerance * Math.max(1.0, Math.abs(expected[i]));
      assertEquals(expected[i], actual[i], allowed, what + "[" + i + "]");
    }
  }

  /** A float tensor holding {@code values} (rounded to float) with {@code shape}. */
  static TFloat32 tensor(double[] values, long[] shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(toFloat(values), true, false));
  }

  /** Gaussian values times {@code scale}, already rounded to float so both sides see the same. */
  static double[] randomArray(Random random, int n, double scale) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (random.nextGaussian() * scale);
    }
    return a;
  }

  /** The values rounded to float. */
  static float[] toFloat(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }
}
