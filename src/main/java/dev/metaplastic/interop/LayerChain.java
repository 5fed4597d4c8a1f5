package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.graphs.Activation;
import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.proto.VariableMapping;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a source model's inference pass, a chain of {@link LayerStep}s, onto our MLP: dense layers
 * {@code dense_<i>} and the head {@code head_0}, each with its activation, and a fixed input
 * transform.
 *
 * <p>Per-feature affine steps are folded exactly (in double precision, then rounded once to
 * float32): one between a dense layer's kernel and its activation (its bias, a BatchNormalization
 * directly after a linear Dense) into that layer's kernel and bias, K' = K·diag(s), b' = b·s + t;
 * one after an activation into the next dense layer's input side, K' = diag(s)·K, b' = t·K + b;
 * those before the first dense layer (Rescaling, Normalization) stay a fixed transform of the
 * input, x·s + t, so that training goes on in the source's input units. Identity layers are
 * dropped. Anything else cannot be imported, with a message that says why.
 */
final class LayerChain {
  /**
   * What the chain maps to: our architecture, the weights by our names and where they came from.
   */
  record Mapped(
      MlpSpec spec,
      Map<String, float[]> weights,
      List<VariableMapping> mappings,
      float[] inputScale,
      float[] inputOffset,
      Activation output,
      String description) {}

  /** A dense layer being assembled, in double precision. */
  private static final class Dense {
    final String layer;
    final String kernelSource;
    final int in;
    final int out;
    final double[] kernel;
    final double[] bias;
    String biasSource = "(no bias)";
    boolean outputFolded;
    final java.util.Set<String> folded = new java.util.LinkedHashSet<>();
    Activation activation;

    Dense(LayerStep.MatMul m) {
      layer = m.layer();
      kernelSource = m.variable();
      in = m.in();
      out = m.out();
      kernel = new double[m.kernel().length];
      for (int i = 0; i < kernel.length; i++) {
        kernel[i] = m.kernel()[i];
      }
      bias = new double[out];
    }
  }

  private LayerChain() {}

  /**
   * Maps {@code steps}, applied in order to examples of {@code inputShape}.
   *
   * @param source names the model in messages
   * @throws IllegalArgumentException naming the step and what is supported, if the chain cannot be
   *     mapped
   */
  static Mapped map(String source, List<Long> inputShape, List<LayerStep> steps) {
    List<Long> shape = new ArrayList<>(inputShape);
    List<Dense> layers = new ArrayList<>();
    Dense open = null;
    double[] pendingScale = null;
    double[] pendingOffset = null;
    List<String> pendingLayers = new ArrayList<>();
    double[] inputScale = null;
    double[] inputOffset = null;
    List<String> dropped = new ArrayList<>();
    for (LayerStep step : steps) {
      if (step instanceof LayerStep.Identity id) {
        dropped.add(id.layer() + " (" + id.className() + ")");
      } else if (step instanceof LayerStep.Reshape r) {
        long size = size(shape);
        List<Long> next = r.shape() == null ? List.of(size) : r.shape();
        checkArgument(
            size(next) == size,
            "%s: layer '%s' reshapes %s values per example to %s",
            source,
            r.layer(),
            size,
            next);
        checkArgument(
            open == null || next.size() == 1,
            "%s: layer '%s' reshapes the output of dense layer '%s' to %s; only reshapes before"
                + " the first dense layer can be imported",
            source,
            r.layer(),
            open == null ? "" : open.layer,
            next);
        shape = new ArrayList<>(next);
      } else if (step instanceof LayerStep.MatMul m) {
        if (open != null) {
          open.activation = Activation.LINEAR; // No activation op between them: the identity.
          layers.add(open);
          open = null;
        }
        checkArgument(
            shape.size() == 1 && shape.get(0) == m.in(),
            "%s: dense layer '%s' takes [%s] inputs but gets examples of shape %s; a dense layer"
                + " on an unflattened input (or a convolution) cannot be imported",
            source,
            m.layer(),
            m.in(),
            shape);
        Dense d = new Dense(m);
        if (pendingScale != null) {
          if (layers.isEmpty()) {
            inputScale = pendingScale;
            inputOffset = pendingOffset;
          } else {
            foldIntoInput(d, pendingScale, pendingOffset);
            d.folded.addAll(pendingLayers);
          }
        }
        pendingScale = null;
        pendingOffset = null;
        pendingLayers.clear();
        open = d;
        shape = new ArrayList<>(List.of((long) m.out()));
      } else if (step instanceof LayerStep.Affine a) {
        long size = size(shape);
        double[] scale = broadcast(source, a, a.scale(), shape, 1);
        double[] offset = broadcast(source, a, a.offset(), shape, 0);
        String label = a.layer() + " (" + a.className() + ")";
        if (open != null) {
          foldIntoOutput(open, scale, offset);
          if (a.className().equals("bias") && !open.outputFolded) {
            open.biasSource = String.join(", ", a.variables());
          } else {
            open.folded.add(label);
          }
          open.outputFolded = true;
        } else {
          if (pendingScale == null) {
            pendingScale = new double[(int) size];
            pendingOffset = new double[(int) size];
            Arrays.fill(pendingScale, 1);
          }
          for (int i = 0; i < size; i++) {
            pendingScale[i] *= scale[i];
            pendingOffset[i] = pendingOffset[i] * scale[i] + offset[i];
          }
          pendingLayers.add(label);
        }
      } else if (step instanceof LayerStep.Act act) {
        if (open != null) {
          open.activation = act.activation();
          layers.add(open);
          open = null;
        } else {
          checkArgument(
              act.activation().isLinear(),
              "%s: activation %s of layer '%s' does not follow a dense layer (%s); only one"
                  + " activation per dense layer can be imported",
              source,
              act.activation(),
              act.layer(),
              layers.isEmpty() ? "it comes before the first one" : "two activations in a row");
        }
      }
    }
    if (open != null) {
      open.activation = Activation.LINEAR;
      layers.add(open);
    }
    checkArgument(!layers.isEmpty(), "%s has no dense layer to import", source);
    checkArgument(
        pendingScale == null,
        "%s: %s after the last dense layer's activation cannot be folded into a dense layer",
        source,
        String.join(", ", pendingLayers));
    return mapped(source, inputShape, layers, inputScale, inputOffset, dropped);
  }

  private static Mapped mapped(
      String source,
      List<Long> inputShape,
      List<Dense> layers,
      double[] inputScale,
      double[] inputOffset,
      List<String> dropped) {
    Map<String, float[]> weights = new LinkedHashMap<>();
    List<VariableMapping> mappings = new ArrayList<>();
    List<Integer> hidden = new ArrayList<>();
    List<Activation> activations = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      Dense d = layers.get(i);
      boolean head = i == layers.size() - 1;
      String target = head ? "head_0" : "dense_" + i;
      if (!head) {
        hidden.add(d.out);
        activations.add(d.activation);
      }
      weights.put(target + "/kernel", toFloat(d.kernel));
      weights.put(target + "/bias", toFloat(d.bias));
      mappings.add(
          mapping(d.kernelSource, target + "/kernel", List.of((long) d.in, (long) d.out), d));
      mappings.add(mapping(d.biasSource, target + "/bias", List.of((long) d.out), d));
    }
    Dense first = layers.get(0);
    Dense last = layers.get(layers.size() - 1);
    checkArgument(
        last.out >= 2,
        "%s: the last dense layer '%s' has %s output; a classifier needs at least 2 classes",
        source,
        last.layer,
        last.out);
    MlpSpec spec = new MlpSpec(first.in, hidden, 1, last.out, 0, false, activations);
    boolean transform = inputScale != null && !isIdentity(inputScale, inputOffset);
    StringBuilder description = new StringBuilder();
    description.append(layers.size()).append(" dense layers: ");
    description.append(String.join(" -> ", layers.stream().map(d -> d.layer).toList()));
    if (!dropped.isEmpty()) {
      description.append("; identity at inference, left out: ").append(String.join(", ", dropped));
    }
    return new Mapped(
        spec,
        weights,
        mappings,
        transform ? toFloat(inputScale) : null,
        transform ? toFloat(inputOffset) : null,
        last.activation,
        description.toString());
  }

  private static VariableMapping mapping(String source, String target, List<Long> shape, Dense d) {
    return VariableMapping.newBuilder()
        .setSource(source)
        .setTarget(target)
        .addAllShape(shape)
        .addAllFolded(d.folded)
        .build();
  }

  /** K ← K·diag(s), b ← b·s + t. */
  private static void foldIntoOutput(Dense d, double[] scale, double[] offset) {
    for (int i = 0; i < d.in; i++) {
      for (int j = 0; j < d.out; j++) {
        d.kernel[i * d.out + j] *= scale[j];
      }
    }
    for (int j = 0; j < d.out; j++) {
      d.bias[j] = d.bias[j] * scale[j] + offset[j];
    }
  }

  /** K ← diag(s)·K, b ← t·K + b. */
  private static void foldIntoInput(Dense d, double[] scale, double[] offset) {
    for (int j = 0; j < d.out; j++) {
      double shift = 0;
      for (int i = 0; i < d.in; i++) {
        shift += offset[i] * d.kernel[i * d.out + j];
      }
      d.bias[j] += shift;
    }
    for (int i = 0; i < d.in; i++) {
      for (int j = 0; j < d.out; j++) {
        d.kernel[i * d.out + j] *= scale[i];
      }
    }
  }

  /**
   * Expands {@code values} of shape {@code a.paramShape()} to one value per element of an example
   * of {@code shape}, row-major, broadcasting from the last axis; null values mean {@code fill}.
   */
  private static double[] broadcast(
      String source, LayerStep.Affine a, double[] values, List<Long> shape, double fill) {
    long size = size(shape);
    double[] out = new double[(int) size];
    if (values == null) {
      Arrays.fill(out, fill);
      return out;
    }
    List<Long> p = a.paramShape();
    while (!p.isEmpty() && p.get(0) == 1 && p.size() > shape.size()) {
      p = p.subList(1, p.size());
    }
    boolean fits = p.size() <= shape.size();
    for (int k = 1; fits && k <= p.size(); k++) {
      long pd = p.get(p.size() - k);
      fits = pd == 1 || pd == shape.get(shape.size() - k);
    }
    checkArgument(
        fits,
        "%s: layer '%s' (%s) has parameters of shape %s that do not broadcast over examples of"
            + " shape %s",
        source,
        a.layer(),
        a.className(),
        a.paramShape(),
        shape);
    int rank = shape.size();
    long[] strides = new long[rank];
    long stride = 1;
    for (int k = rank - 1; k >= 0; k--) {
      int pk = k - (rank - p.size());
      strides[k] = pk >= 0 && p.get(pk) != 1 ? stride : 0;
      if (pk >= 0) {
        stride *= p.get(pk);
      }
    }
    for (int e = 0; e < size; e++) {
      long rest = e;
      long index = 0;
      for (int k = rank - 1; k >= 0; k--) {
        long coordinate = rest % shape.get(k);
        rest /= shape.get(k);
        index += coordinate * strides[k];
      }
      out[e] = values[(int) index];
    }
    return out;
  }

  private static boolean isIdentity(double[] scale, double[] offset) {
    for (int i = 0; i < scale.length; i++) {
      if (scale[i] != 1 || offset[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static long size(List<Long> shape) {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    return size;
  }

  private static float[] toFloat(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
