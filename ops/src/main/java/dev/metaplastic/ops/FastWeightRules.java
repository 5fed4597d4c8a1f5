package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.OptionalInt;

/** Every fast-weight plasticity rule this version knows, by name. */
public final class FastWeightRules {
  private FastWeightRules() {}

  /**
   * The names of the known rules: {@code hebbian}, {@code oja}, {@code neuromodulated}, {@code
   * gradient}, {@code dopamine}.
   */
  public static List<String> names() {
    return List.of(
        HebbianTraceRule.NAME,
        OjaTraceRule.NAME,
        BackpropamineRule.NAME,
        GradientPlasticityRule.NAME,
        RewardModulatedHebbianRule.NAME);
  }

  /**
   * Attaches rule {@code name} to the plastic connection whose slow weight is {@code slowWeight}
   * [in, out], creating its learned coefficients in {@code variables}, for an input without a
   * reward channel.
   *
   * @param seed seed of the coefficients' stateless random initial values
   * @throws IllegalArgumentException for an unknown name, a slow weight that is not a matrix, or a
   *     rule that needs a reward channel ({@code dopamine})
   */
  public static FastWeightRule attach(
      String name, VariableRegistry variables, Parameter slowWeight, long seed) {
    return attach(name, variables, slowWeight, seed, OptionalInt.empty());
  }

  /**
   * Attaches rule {@code name} to the plastic connection whose slow weight is {@code slowWeight}
   * [in, out], creating its learned coefficients in {@code variables}.
   *
   * @param seed seed of the coefficients' stateless random initial values
   * @param rewardChannel the input channel that carries the task's reward, if it has one; the
   *     {@code dopamine} rule needs it, the others ignore it
   * @throws IllegalArgumentException for an unknown name, a slow weight that is not a matrix, or
   *     {@code dopamine} without a reward channel
   */
  public static FastWeightRule attach(
      String name,
      VariableRegistry variables,
      Parameter slowWeight,
      long seed,
      OptionalInt rewardChannel) {
    checkNotNull(name, "fast-weight rule name must not be null");
    checkNotNull(rewardChannel, "reward channel must be an OptionalInt, got null");
    return switch (name) {
      case HebbianTraceRule.NAME -> new HebbianTraceRule(variables, slowWeight, seed);
      case OjaTraceRule.NAME -> new OjaTraceRule(variables, slowWeight, seed);
      case BackpropamineRule.NAME -> new BackpropamineRule(variables, slowWeight, seed);
      case GradientPlasticityRule.NAME -> new GradientPlasticityRule(variables, slowWeight, seed);
      case RewardModulatedHebbianRule.NAME -> {
        checkArgument(
            rewardChannel.isPresent(),
            "fast-weight rule %s reads the reward from an input channel, but the input has no"
                + " reward channel (only tasks with reward or feedback, such as gonogo, have one)",
            name);
        yield new RewardModulatedHebbianRule(variables, slowWeight, seed, rewardChannel.getAsInt());
      }
      default ->
          throw new IllegalArgumentException(
              "unknown fast-weight rule '"
                  + name
                  + "'; this version knows: "
                  + String.join(", ", names()));
    };
  }

  /** Checks that {@code slowWeight} is a plastic connection's weight matrix [in, out]. */
  static Parameter checkConnection(Parameter slowWeight) {
    checkNotNull(slowWeight, "slow weight must not be null");
    checkArgument(
        slowWeight.shape().numDimensions() == 2
            && slowWeight.shape().get(0) > 0
            && slowWeight.shape().get(1) > 0,
        "a fast-weight rule needs a slow weight of static shape [in, out], got %s of shape %s",
        slowWeight.name(),
        slowWeight.shape());
    return slowWeight;
  }
}
