package dev.metaplastic.ops;

import static dev.metaplastic.ops.TestTensors.assertClose;
import static dev.metaplastic.ops.TestTensors.randomArray;
import static dev.metaplastic.ops.TestTensors.read;
import static dev.metaplastic.ops.TestTensors.tensor;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The batch sums of squared and absolute per-example gradients of a dense layer's kernel and bias
 * against the per-example gradients a_i ⊗ δ_i and δ_i formed one example at a time in double.
 */
class PerExampleGradientsTest {
  private static final int N = 6;
  private static final int IN = 3;
  private static final int OUT = 4;

  @Test
  void weightedSumsEqualThoseOfTheFormedPerExampleGradients() {
    Random random = new Random(5);
    double[] a = randomArray(random, N * IN, 1.5);
    double[] delta = randomArray(random, N * OUT, 0.7);
    double[] w = new double[N];
    for (int i = 0; i < N; i++) {
      w[i] = (float) (random.nextDouble() / N);
    }
    double[] kernelSquares = new double[IN * OUT];
    double[] kernelAbsolutes = new double[IN * OUT];
    double[] biasSquares = new double[OUT];
    double[] biasAbsolutes = new double[OUT];
    for (int i = 0; i < N; i++) {
      for (int o = 0; o < OUT; o++) {
        double d = delta[i * OUT + o];
        biasSquares[o] += w[i] * d * d;
        biasAbsolutes[o] += w[i] * Math.abs(d);
        for (int k = 0; k < IN; k++) {
          double g = a[i * IN + k] * d;
          kernelSquares[k * OUT + o] += w[i] * g * g;
          kernelAbsolutes[k * OUT + o] += w[i] * Math.abs(g);
        }
      }
    }
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Operand<TFloat32> inputs = constant(tf, a, N, IN);
      Operand<TFloat32> deltas = constant(tf, delta, N, OUT);
      Operand<TFloat32> weights = constant(tf, w, N);
      PerExampleGradients kernel = PerExampleGradients.ofKernel(inputs, deltas);
      PerExampleGradients bias = PerExampleGradients.ofBias(deltas);
      assertClose(kernelSquares, read(session, kernel.weightedSquares(tf, weights)), "kernel g²");
      assertClose(
          kernelAbsolutes, read(session, kernel.weightedAbsolutes(tf, weights)), "kernel |g|");
      assertClose(biasSquares, read(session, bias.weightedSquares(tf, weights)), "bias g²");
      assertClose(biasAbsolutes, read(session, bias.weightedAbsolutes(tf, weights)), "bias |g|");
    }
  }

  private static Operand<TFloat32> constant(Ops tf, double[] values, long... shape) {
    try (TFloat32 t = tensor(values, shape)) {
      return tf.constantOf(t);
    }
  }
}
