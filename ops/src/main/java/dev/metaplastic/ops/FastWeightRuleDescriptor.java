package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Everything the library knows about one fast-weight rule besides its equations: its name (the
 * first segment of its coefficients' names, its plasticity kind in manifests and on the command
 * line), how to attach it, whether it reads a reward channel, and the fixed constants of its update
 * that manifests record. Every rule class holds one as {@code DESCRIPTOR}, and {@link Rules} lists
 * them.
 *
 * @param name the rule's name, such as {@code oja}
 * @param factory creates the rule's coefficients at an attachment
 * @param readsReward whether the rule reads the task's reward channel, which the input must then
 *     have
 * @param constants the fixed (not learned) constants of the update, by name, as manifests record
 *     them
 * @param formerStatePrefix the first segment of the rule's coefficients in manifests before format
 *     5, where it differed from the name ({@code hebbian} for Oja's rule, {@code neuromod} for
 *     Backpropamine, {@code gradient_plasticity} for the gradient rule)
 * @param summary the rule's row of the README's rule table
 */
public record FastWeightRuleDescriptor(
    String name,
    Function<FastWeightRule.Attachment, FastWeightRule> factory,
    boolean readsReward,
    Map<String, Double> constants,
    Optional<String> formerStatePrefix,
    RuleSummary summary) {
  public FastWeightRuleDescriptor {
    checkArgument(
        name != null && name.matches("[a-z][a-z0-9]*(_[a-z0-9]+)*"),
        "a rule name is lower case with _ between words, got '%s'",
        name);
    checkNotNull(factory, "factory");
    constants = Map.copyOf(constants);
    checkNotNull(formerStatePrefix, "formerStatePrefix");
    checkNotNull(summary, "summary");
  }

  /**
   * Attaches the rule.
   *
   * @throws IllegalArgumentException if the rule reads a reward channel the input lacks
   */
  public FastWeightRule attach(FastWeightRule.Attachment attachment) {
    return factory.apply(attachment);
  }

  @Override
  public String toString() {
    return name;
  }
}
