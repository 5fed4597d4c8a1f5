package dev.metaplastic.experiments;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.metaplastic.ops.RuleConfig;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One method a protocol trains: fine-tuning (no rule, the lower bound), joint training (every
 * task's data at once, the upper bound), or rules sharing one graph.
 *
 * @param name the method's name, as the command line spells it and file names carry it: {@code
 *     finetune}, {@code joint}, {@code si}, {@code ewc+neuromod-lr}
 * @param rules the rules; empty for fine-tuning and joint training
 * @param joint whether this is joint training
 */
public record Method(String name, List<RuleConfig> rules, boolean joint) {
  /** The name of fine-tuning. */
  public static final String FINETUNE = "finetune";

  /** The name of joint training. */
  public static final String JOINT = "joint";

  public Method {
    checkNotNull(name, "name");
    rules = List.copyOf(rules);
    checkArgument(!joint || rules.isEmpty(), "joint training takes no rules");
  }

  /** Fine-tuning: every task in turn, no rule. */
  public static Method fineTuning() {
    return new Method(FINETUNE, List.of(), false);
  }

  /** Joint training: every task's data at once. */
  public static Method jointTraining() {
    return new Method(JOINT, List.of(), true);
  }

  /** Rules sharing one graph, under {@code name}. */
  public static Method rules(String name, List<RuleConfig> rules) {
    checkArgument(!rules.isEmpty(), "method %s: give at least one rule", name);
    return new Method(name, rules, false);
  }

  /**
   * The method with its hyperparameters: {@code fine-tuning}, {@code si(c=1.0, xi=0.001)}, rules
   * joined by {@code +}; joint training as the protocol describes it.
   */
  public String description() {
    return rules.isEmpty()
        ? "fine-tuning"
        : rules.stream().map(Object::toString).collect(Collectors.joining(" + "));
  }
}
