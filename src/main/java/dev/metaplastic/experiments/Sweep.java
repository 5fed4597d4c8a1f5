package dev.metaplastic.experiments;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strength sweep: one rule once per value of one hyperparameter.
 *
 * @param rule the rule's name, such as {@code ewc}
 * @param parameter the hyperparameter swept, such as {@code lambda}
 * @param points each value's label ({@code lambda=10}) and method, in order
 */
public record Sweep(String rule, String parameter, Map<String, Method> points) {
  public Sweep {
    points = Collections.unmodifiableMap(new LinkedHashMap<>(points));
  }
}
