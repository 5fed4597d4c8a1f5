package dev.metaplastic.train;

import java.util.List;

/**
 * One imported value: the source's variable, such as {@code dense/kernel}, and ours it was written
 * to, such as {@code dense_0/kernel}.
 *
 * @param source the source's variable (or several, joined, for a value built from more than one)
 * @param target our variable
 * @param shape the value's dimensions, such as {@code [784, 300]}
 * @param folded the per-feature affine layers folded into the value exactly (such as a
 *     BatchNormalization), as {@code <layer> (<class>)}; empty if none
 */
public record VariableMapping(String source, String target, List<Long> shape, List<String> folded) {
  /** Copies the lists. */
  public VariableMapping {
    shape = List.copyOf(shape);
    folded = List.copyOf(folded);
  }
}
