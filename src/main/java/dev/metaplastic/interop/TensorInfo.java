package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * One input or output of a SavedModel signature.
 *
 * @param key the name callers use, such as {@code x}
 * @param tensorName the graph tensor behind it, such as {@code x:0}
 * @param dtype the data type as Python TensorFlow names it, such as {@code float32} (see {@link
 *     SavedModelInfo#dtypeName})
 * @param shape the declared dimensions, {@code -1} for an unknown dimension, an empty list for a
 *     scalar, and {@code null} when even the rank is unknown (see {@link #rankKnown()})
 */
public record TensorInfo(String key, String tensorName, String dtype, List<Long> shape) {
  /** Copies the shape; checks that the names are present. */
  public TensorInfo {
    checkNotNull(key, "key");
    checkNotNull(tensorName, "tensorName");
    checkNotNull(dtype, "dtype");
    shape = shape == null ? null : List.copyOf(shape);
  }

  /** Whether the rank (number of dimensions) is declared; if not, {@link #shape()} is null. */
  public boolean rankKnown() {
    return shape != null;
  }

  /** The shape as text: {@code [-1, 28, 28]}, {@code []} for a scalar, {@code <unknown rank>}. */
  public String shapeText() {
    return SavedModelInfo.shapeText(shape);
  }
}
