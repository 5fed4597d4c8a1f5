package dev.metaplastic.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.Activation;
import dev.metaplastic.graphs.proto.VariableMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Folding and mapping of {@link LayerChain} against the steps applied one by one in double
 * precision: the mapped model (input transform, then each dense layer and its activation) must
 * compute what the steps compute.
 */
class LayerChainTest {
  private final SplittableRandom random = new SplittableRandom(5);

  @Test
  void affineStepsFoldExactlyWhereverTheyStand() {
    List<LayerStep> steps =
        List.of(
            affine("rescaling", "Rescaling", List.of(), 1 / 255.0, 0.1),
            new LayerStep.Reshape("flatten", null),
            matMul("dense", 6, 4),
            bias("dense", 4),
            affine("bn_before", "BatchNormalization", List.of(4L), Double.NaN, Double.NaN),
            new LayerStep.Act("activation", Activation.parse("tanh")),
            new LayerStep.Identity("dropout", "Dropout"),
            affine("bn_after", "BatchNormalization", List.of(4L), Double.NaN, Double.NaN),
            matMul("dense_1", 4, 3),
            bias("dense_1", 3),
            new LayerStep.Act("dense_1", Activation.SOFTMAX));
    LayerChain.Mapped mapped = LayerChain.map("test", List.of(2L, 3L), steps);
    assertEquals("6-4-3 (tanh)", mapped.spec().describe());
    assertEquals(Activation.SOFTMAX, mapped.output());
    List<VariableMapping> m = mapped.mappings();
    assertEquals("dense/kernel", m.get(0).getSource());
    assertEquals(List.of("bn_before (BatchNormalization)"), m.get(0).getFoldedList());
    assertEquals("dense/bias", m.get(1).getSource());
    assertEquals(List.of("bn_after (BatchNormalization)"), m.get(2).getFoldedList());
    assertTrue(mapped.description().contains("left out: dropout (Dropout)"));
    for (int trial = 0; trial < 5; trial++) {
      double[] x = new double[6];
      for (int i = 0; i < x.length; i++) {
        x[i] = random.nextDouble() * 255;
      }
      double[] expected = stepByStep(steps, x);
      double[] actual = mappedForward(mapped, x);
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], 1e-6, "output " + i);
      }
    }
  }

  @Test
  void withoutAnAffineInputStepThereIsNoTransform() {
    LayerChain.Mapped mapped =
        LayerChain.map(
            "test",
            List.of(5L),
            List.of(matMul("d", 5, 2), new LayerStep.Act("d", Activation.LINEAR)));
    assertNull(mapped.inputScale());
    assertEquals("(no bias)", mapped.mappings().get(1).getSource());
  }

  @Test
  void whatCannotBeFoldedIsRefused() {
    assertTrue(
        refusal(
                List.of(4L),
                matMul("d", 4, 3),
                new LayerStep.Act("d", Activation.RELU),
                new LayerStep.Act("a", Activation.parse("tanh")))
            .contains("two activations in a row"));
    assertEquals(
        "m: bn (BatchNormalization) after the last dense layer's activation cannot be folded into"
            + " a dense layer",
        refusal(
            List.of(4L),
            matMul("d", 4, 3),
            new LayerStep.Act("d", Activation.SOFTMAX),
            affine("bn", "BatchNormalization", List.of(3L), 2, 1)));
    assertTrue(refusal(List.of(2L, 2L), matMul("d", 2, 3)).contains("on an unflattened input"));
  }

  /** The message with which mapping {@code steps} of model {@code m} is refused. */
  private static String refusal(List<Long> inputShape, LayerStep... steps) {
    return assertThrows(
            IllegalArgumentException.class, () -> LayerChain.map("m", inputShape, List.of(steps)))
        .getMessage();
  }

  private LayerStep.MatMul matMul(String layer, int in, int out) {
    float[] kernel = new float[in * out];
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] = (float) random.nextGaussian() * 0.3f;
    }
    return new LayerStep.MatMul(layer, layer + "/kernel", in, out, kernel);
  }

  private LayerStep.Affine bias(String layer, int n) {
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      b[i] = (float) random.nextGaussian() * 0.1f;
    }
    return new LayerStep.Affine(
        layer, "bias", List.of((long) n), null, b, List.of(layer + "/bias"));
  }

  /** A per-feature affine step; NaN draws random values. */
  private LayerStep.Affine affine(
      String layer, String className, List<Long> shape, double scale, double offset) {
    int n = shape.isEmpty() ? 1 : shape.get(0).intValue();
    double[] s = new double[n];
    double[] o = new double[n];
    for (int i = 0; i < n; i++) {
      s[i] = Double.isNaN(scale) ? 0.5 + random.nextDouble() : scale;
      o[i] = Double.isNaN(offset) ? random.nextGaussian() : offset;
    }
    return new LayerStep.Affine(layer, className, shape, s, o, List.of());
  }

  /** The steps applied one by one to one flat example. */
  private static double[] stepByStep(List<LayerStep> steps, double[] x) {
    double[] h = x.clone();
    for (LayerStep step : steps) {
      if (step instanceof LayerStep.MatMul m) {
        double[] z = new double[m.out()];
        for (int j = 0; j < m.out(); j++) {
          for (int i = 0; i < m.in(); i++) {
            z[j] += h[i] * m.kernel()[i * m.out() + j];
          }
        }
        h = z;
      } else if (step instanceof LayerStep.Affine a) {
        for (int i = 0; i < h.length; i++) {
          double s = a.scale() == null ? 1 : a.scale()[a.scale().length == 1 ? 0 : i];
          double o = a.offset()[a.offset().length == 1 ? 0 : i];
          h[i] = h[i] * s + o;
        }
      } else if (step instanceof LayerStep.Act act) {
        h = activate(act.activation(), h);
      }
    }
    return h;
  }

  /** The mapped model on one example: input transform, dense layers and their activations. */
  private static double[] mappedForward(LayerChain.Mapped mapped, double[] x) {
    double[] h = x.clone();
    for (int i = 0; i < h.length; i++) {
      h[i] = h[i] * mapped.inputScale()[i] + mapped.inputOffset()[i];
    }
    List<String> layers = new ArrayList<>();
    for (int i = 0; i < mapped.spec().hidden().size(); i++) {
      layers.add("dense_" + i);
    }
    layers.add("head_0");
    for (int l = 0; l < layers.size(); l++) {
      float[] kernel = mapped.weights().get(layers.get(l) + "/kernel");
      float[] bias = mapped.weights().get(layers.get(l) + "/bias");
      double[] z = new double[bias.length];
      for (int j = 0; j < z.length; j++) {
        z[j] = bias[j];
        for (int i = 0; i < h.length; i++) {
          z[j] += h[i] * kernel[i * z.length + j];
        }
      }
      boolean head = l == layers.size() - 1;
      h = activate(head ? mapped.output() : mapped.spec().activations().get(l), z);
    }
    return h;
  }

  private static double[] activate(Activation a, double[] z) {
    double[] out = new double[z.length];
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      out[i] =
          switch (a.name()) {
            case "tanh" -> Math.tanh(z[i]);
            case "relu" -> Math.max(0, z[i]);
            case "softmax" -> Math.exp(z[i]);
            default -> z[i];
          };
      sum += out[i];
    }
    if (a.name().equals("softmax")) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= sum;
      }
    }
    return out;
  }
}
