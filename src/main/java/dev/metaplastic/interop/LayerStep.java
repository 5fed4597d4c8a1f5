package dev.metaplastic.interop;

import dev.metaplastic.graphs.Activation;
import java.util.List;

/**
 * One step of a source model's inference pass, as read from what its file records (a Keras layer
 * configuration, or the ops of its serving graph); {@link LayerChain} maps a list of them onto our
 * MLP.
 */
sealed interface LayerStep {
  /** The layer the step comes from, such as {@code dense_1}. */
  String layer();

  /**
   * A reshape that keeps the values in row-major order (Keras {@code Flatten}, {@code Reshape}).
   *
   * @param shape the new shape of one example, or null when the file does not record it (a flatten
   *     to one dimension)
   */
  record Reshape(String layer, List<Long> shape) implements LayerStep {}

  /**
   * x · scale + offset, with scale and offset broadcast over one example from its last axes (as
   * NumPy broadcasts): a bias, Keras {@code Rescaling}, {@code Normalization}, or {@code
   * BatchNormalization} at inference.
   *
   * @param className the Keras class (or {@code bias} for a dense layer's bias)
   * @param paramShape the shape of scale and offset, such as [16] or [] for a scalar
   * @param scale the factors, row-major
   * @param offset the offsets, row-major
   * @param variables the source variables the values come from, for the printed mapping
   */
  record Affine(
      String layer,
      String className,
      List<Long> paramShape,
      double[] scale,
      double[] offset,
      List<String> variables)
      implements LayerStep {}

  /**
   * x · kernel, a dense layer's kernel [in, out] (its bias follows as an {@link Affine}).
   *
   * @param variable the source variable, such as {@code sequential/dense/kernel}
   */
  record MatMul(String layer, String variable, int in, int out, float[] kernel)
      implements LayerStep {}

  /** An element-wise activation (softmax over the last axis). */
  record Act(String layer, Activation activation) implements LayerStep {}

  /** A layer that is the identity at inference (Dropout, GaussianNoise, ...), for the account. */
  record Identity(String layer, String className) implements LayerStep {}
}
