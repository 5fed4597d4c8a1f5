package dev.metaplastic.graphs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * Every activation's graph ops against Keras' formula computed in double precision here, and its
 * gradient (which training and every rule need) against a central difference of that formula.
 */
class ActivationTest {
  private static final float[] X = {-3.5f, -1.2f, -0.3f, 0f, 0.4f, 1.1f, 2.7f};

  @Test
  void everyActivationComputesKerasFormulaAndHasAGradient() {
    List<Object[]> cases =
        List.of(
            new Object[] {"relu", (DoubleUnaryOperator) x -> Math.max(0, x)},
            new Object[] {"gelu", (DoubleUnaryOperator) x -> 0.5 * x * (1 + erf(x / Math.sqrt(2)))},
            new Object[] {"tanh", (DoubleUnaryOperator) Math::tanh},
            new Object[] {"sigmoid", (DoubleUnaryOperator) x -> 1 / (1 + Math.exp(-x))},
            new Object[] {"elu", (DoubleUnaryOperator) x -> x > 0 ? x : Math.expm1(x)},
            new Object[] {"elu(0.5)", (DoubleUnaryOperator) x -> x > 0 ? x : 0.5 * Math.expm1(x)},
            new Object[] {
              "selu",
              (DoubleUnaryOperator)
                  x -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x))
            },
            new Object[] {"silu", (DoubleUnaryOperator) x -> x / (1 + Math.exp(-x))},
            new Object[] {"swish", (DoubleUnaryOperator) x -> x / (1 + Math.exp(-x))},
            new Object[] {"softplus", (DoubleUnaryOperator) x -> Math.log1p(Math.exp(x))},
            new Object[] {"leaky_relu", (DoubleUnaryOperator) x -> x >= 0 ? x : 0.2 * x},
            new Object[] {"leaky_relu(0.3)", (DoubleUnaryOperator) x -> x >= 0 ? x : 0.3 * x},
            new Object[] {"linear", (DoubleUnaryOperator) x -> x});
    for (Object[] c : cases) {
      Activation activation = Activation.parse((String) c[0]);
      DoubleUnaryOperator f = (DoubleUnaryOperator) c[1];
      float[][] valueAndGradient = run(activation);
      for (int i = 0; i < X.length; i++) {
        double x = X[i];
        assertEquals(f.applyAsDouble(x), valueAndGradient[0][i], 2e-6, c[0] + "(" + x + ")");
        if (x != 0 || activation.name().equals("linear")) {
          double h = 1e-4;
          double slope = (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
          assertEquals(slope, valueAndGradient[1][i], 1e-3, c[0] + "'(" + x + ")");
        }
      }
    }
  }

  @Test
  void softmaxNormalizesTheLastAxis() {
    float[][] out = run(Activation.SOFTMAX);
    double max = 2.7;
    double sum = 0;
    for (float x : X) {
      sum += Math.exp(x - max);
    }
    for (int i = 0; i < X.length; i++) {
      assertEquals(Math.exp(X[i] - max) / sum, out[0][i], 1e-6);
    }
  }

  @Test
  void textFormsRoundTripAndUnknownNamesAreRefused() {
    for (String text :
        List.of("relu", "gelu", "elu", "elu(0.5)", "leaky_relu", "leaky_relu(0.3)")) {
      assertEquals(text, Activation.parse(text).text());
    }
    assertEquals("silu", Activation.parse("swish").text());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Activation.parse("hard_sigmoid"));
    assertEquals(
        "activation 'hard_sigmoid' is not supported; supported are [relu, gelu, tanh, sigmoid, elu,"
            + " selu, silu, softplus, leaky_relu, linear, softmax]",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Activation.parse("tanh(2)"));
  }

  /** The activation of {@link #X} as one row, and its gradient of the sum. */
  private static float[][] run(Activation activation) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[][] {X});
      Operand<TFloat32> y = activation.apply(tf, x);
      Gradients dy = tf.gradients(tf.reduceSum(y, tf.constant(new int[] {0, 1})), List.of(x));
      try (Result r = s.runner().fetch(y).fetch(dy.dy(0)).run()) {
        float[][] out = new float[2][X.length];
        ((TFloat32) r.get(0)).asRawTensor().data().asFloats().read(out[0]);
        ((TFloat32) r.get(1)).asRawTensor().data().asFloats().read(out[1]);
        return out;
      }
    }
  }

  /** erf by its Maclaurin series, exact to double precision for |x| ≤ 3. */
  private static double erf(double x) {
    double sum = 0;
    double term = x;
    for (int n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= -x * x / (n + 1);
    }
    return 2 / Math.sqrt(Math.PI) * sum;
  }
}
