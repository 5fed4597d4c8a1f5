package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import org.tensorflow.ndarray.Shape;

/**
 * A plain dense layer z = a·W + b of a model, as the model reports it: rules that act per layer
 * (such as {@link GradientProjectionMemory}) take the layers from here instead of guessing them
 * from parameter names.
 *
 * @param kernel W, of static shape [in, out]
 * @param bias b, of static shape [out]
 */
public record DenseLayer(Parameter kernel, Parameter bias) {
  public DenseLayer {
    checkNotNull(kernel, "kernel must not be null");
    checkNotNull(bias, "bias must not be null");
    checkArgument(
        kernel.shape().numDimensions() == 2 && bias.shape().equals(Shape.of(kernel.shape().get(1))),
        "a dense layer needs a kernel [in, out] and a bias [out], got %s of shape %s and %s of"
            + " shape %s",
        kernel.name(),
        kernel.shape(),
        bias.name(),
        bias.shape());
  }

  /** The layer's inputs, the kernel's first dimension. */
  public long inputs() {
    return kernel.shape().get(0);
  }

  /** The layer's outputs, the kernel's second dimension. */
  public long outputs() {
    return kernel.shape().get(1);
  }
}
