package dev.metaplastic.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Plain-Java double-precision arithmetic on batched tensors for the plasticity tests: [B, n] as
 * {@code double[B][n]}, [B, in, out] as {@code double[B][in][out]}, and a session helper.
 */
final class PlainPlasticity {
  private PlainPlasticity() {}

  /** Runs the graph once with {@code feeds} (closed afterwards) and fetches every operand. */
  static List<double[]> fetch(
      Session session, Map<Operand<TFloat32>, TFloat32> feeds, List<Operand<TFloat32>> fetches) {
    try {
      var runner = session.runner();
      feeds.forEach(runner::feed);
      fetches.forEach(runner::fetch);
      List<double[]> out = new ArrayList<>();
      try (var result = runner.run()) {
        for (int i = 0; i < fetches.size(); i++) {
          out.add(TestTensors.toDoubles((TFloat32) result.get(i)));
        }
      }
      return out;
    } finally {
      feeds.values().forEach(TFloat32::close);
    }
  }

  /** Row-major [rows][cols] from a flat array. */
  static double[][] matrix(double[] flat, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(flat, r * cols, m[r], 0, cols);
    }
    return m;
  }

  static double[] flat(double[][] m) {
    int cols = m[0].length;
    double[] f = new double[m.length * cols];
    for (int r = 0; r < m.length; r++) {
      System.arraycopy(m[r], 0, f, r * cols, cols);
    }
    return f;
  }

  static double[] flat(double[][][] t) {
    int in = t[0].length;
    int out = t[0][0].length;
    double[] f = new double[t.length * in * out];
    for (int b = 0; b < t.length; b++) {
      for (int i = 0; i < in; i++) {
        System.arraycopy(t[b][i], 0, f, (b * in + i) * out, out);
      }
    }
    return f;
  }

  /** y_b = x_b · W + Σ_i x_bi F_bij with F = scale ⊙ fast (scale [in][out], or null for 1). */
  static double[][] output(double[][] x, double[][] w, double[][] scale, double[][][] fast) {
    int batch = x.length;
    int in = w.length;
    int out = w[0].length;
    double[][] y = new double[batch][out];
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < out; j++) {
        double s = 0;
        for (int i = 0; i < in; i++) {
          double plastic = fast[b][i][j] * (scale == null ? 1 : scale[i][j]);
          s += x[b][i] * (w[i][j] + plastic);
        }
        y[b][j] = s;
      }
    }
    return y;
  }

  static double[][] tanh(double[][] y) {
    double[][] t = new double[y.length][];
    for (int b = 0; b < y.length; b++) {
      t[b] = new double[y[b].length];
      for (int j = 0; j < y[b].length; j++) {
        t[b][j] = Math.tanh(y[b][j]);
      }
    }
    return t;
  }

  static double[][][] zeros(int batch, int in, int out) {
    return new double[batch][in][out];
  }

  static double clip(double v, double c) {
    return Math.max(-c, Math.min(c, v));
  }
}
