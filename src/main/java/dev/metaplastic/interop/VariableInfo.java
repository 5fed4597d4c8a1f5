package dev.metaplastic.interop;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;

/**
 * One variable op of a SavedModel's graph.
 *
 * @param name the op name, such as {@code dense/kernel}
 * @param dtype the value's data type as Python TensorFlow names it, such as {@code float32}
 * @param shape the declared dimensions ({@code -1} for an unknown dimension, empty for a scalar),
 *     or {@code null} when the rank is unknown
 * @param kind {@link #REF} for a reference variable ({@code VariableV2} or {@code Variable}, TF1
 *     style), {@link #RESOURCE} for a resource variable ({@code VarHandleOp}, TF2 and Keras)
 */
public record VariableInfo(String name, String dtype, List<Long> shape, String kind) {
  /** Kind of a reference variable ({@code VariableV2}, {@code Variable}). */
  public static final String REF = "ref";

  /** Kind of a resource variable ({@code VarHandleOp}). */
  public static final String RESOURCE = "resource";

  /** Copies the shape; checks the kind. */
  public VariableInfo {
    checkNotNull(name, "name");
    checkNotNull(dtype, "dtype");
    checkArgument(
        REF.equals(kind) || RESOURCE.equals(kind),
        "variable kind must be '%s' or '%s', got '%s'",
        REF,
        RESOURCE,
        kind);
    shape = shape == null ? null : List.copyOf(shape);
  }

  /** Whether the value is {@code float32}, which {@link SavedModelInfo#readFloat} can read. */
  public boolean isFloat() {
    return "float32".equals(dtype);
  }

  /**
   * Whether the value is an {@code int32}, {@code int64} or {@code bool} scalar, which {@link
   * SavedModelInfo#readScalar} can read.
   */
  public boolean isIntegerOrBooleanScalar() {
    return shape != null && shape.isEmpty() && List.of("int32", "int64", "bool").contains(dtype);
  }

  /**
   * Number of elements, or -1 if the shape is not fully known (unknown rank or dimension).
   *
   * @return the product of the dimensions, 1 for a scalar
   */
  public long size() {
    if (shape == null) {
      return -1;
    }
    long size = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      size *= d;
    }
    return size;
  }

  /** The shape as text: {@code [784, 300]}, {@code []} for a scalar, {@code <unknown rank>}. */
  public String shapeText() {
    return SavedModelInfo.shapeText(shape);
  }
}
