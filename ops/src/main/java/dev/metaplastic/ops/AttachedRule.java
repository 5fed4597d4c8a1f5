package dev.metaplastic.ops;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * What every consolidation rule attached to a graph holds: its configuration, the parameters it
 * governs and the state it creates through {@link StateVariables}, with {@link ConsolidationRule}'s
 * three getters written once.
 *
 * @param <C> the rule's configuration type
 */
abstract class AttachedRule<C extends RuleConfig> implements ConsolidationRule {
  /** The rule's configuration. */
  protected final C config;

  /** The parameters the rule governs, in order. */
  protected final List<Parameter> parameters;

  private final StateVariables state;

  /**
   * @param owner the first segment of every state variable's name, such as {@code si}
   */
  AttachedRule(C config, VariableRegistry variables, String owner, List<Parameter> parameters) {
    this.config = config;
    this.parameters = ImmutableList.copyOf(parameters);
    this.state = new StateVariables(variables, owner);
  }

  /** Creates this rule's state variables and records them for {@link #state()}. */
  final StateVariables stateVariables() {
    return state;
  }

  @Override
  public final C config() {
    return config;
  }

  @Override
  public final List<Parameter> parameters() {
    return parameters;
  }

  /** Every state variable the rule created, in creation order. */
  @Override
  public final List<StateVariable> state() {
    return state.recorded();
  }
}
