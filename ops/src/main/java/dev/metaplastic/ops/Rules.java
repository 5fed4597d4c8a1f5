package dev.metaplastic.ops;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The registry: every rule this version knows, one line each, in the order the README lists them.
 * Manifests and checkpoints find rules here by the name their state carries; the command line takes
 * its rule names, options, presets and checks from the descriptors; the plastic RNN takes its
 * plasticity kinds from the fast-weight rules.
 */
public final class Rules {
  private Rules() {}

  /** The consolidation rules. */
  public static List<RuleDescriptor<?>> consolidation() {
    return List.of(
        SynapticIntelligence.DESCRIPTOR,
        ElasticWeightConsolidation.DESCRIPTOR,
        OnlineElasticWeightConsolidation.DESCRIPTOR,
        MemoryAwareSynapses.DESCRIPTOR,
        RiemannianWalk.DESCRIPTOR,
        GradientProjectionMemory.DESCRIPTOR,
        BennaFusiSynapse.DESCRIPTOR,
        Metaplasticity.DESCRIPTOR,
        NeuromodulatedLearningRate.DESCRIPTOR,
        NeuromodulatoryGate.DESCRIPTOR);
  }

  /** The fast-weight rules. */
  public static List<FastWeightRuleDescriptor> fastWeight() {
    return List.of(
        HebbianTraceRule.DESCRIPTOR,
        OjaTraceRule.DESCRIPTOR,
        BackpropamineRule.DESCRIPTOR,
        GradientPlasticityRule.DESCRIPTOR,
        RewardModulatedHebbianRule.DESCRIPTOR);
  }

  /** The names of the consolidation rules, such as {@code online_ewc}. */
  public static List<String> names() {
    return consolidation().stream().map(RuleDescriptor::name).toList();
  }

  /** The names of the fast-weight rules, such as {@code oja}. */
  public static List<String> fastWeightNames() {
    return fastWeight().stream().map(FastWeightRuleDescriptor::name).toList();
  }

  /**
   * The consolidation rule {@code name}, as manifests name it ({@code online_ewc}) or the command
   * line does ({@code online-ewc}).
   *
   * @throws IllegalArgumentException for an unknown rule
   */
  public static RuleDescriptor<?> descriptor(String name) {
    checkNotNull(name, "rule name must not be null");
    return find(consolidation(), RuleDescriptor::name, name.replace('-', '_'), "rule");
  }

  /**
   * The configuration a manifest records as {@code name} with {@code hyperparameters}.
   *
   * @throws IllegalArgumentException for an unknown rule or a missing, unknown or invalid
   *     hyperparameter
   */
  public static RuleConfig fromHyperparameters(String name, Map<String, Double> hyperparameters) {
    return descriptor(name).config(hyperparameters);
  }

  /**
   * The fast-weight rule {@code name}.
   *
   * @throws IllegalArgumentException for an unknown rule
   */
  public static FastWeightRuleDescriptor fastWeightRule(String name) {
    checkNotNull(name, "fast-weight rule name must not be null");
    return find(fastWeight(), FastWeightRuleDescriptor::name, name, "fast-weight rule");
  }

  private static <D> D find(List<D> known, Function<D, String> nameOf, String name, String kind) {
    return known.stream()
        .filter(d -> nameOf.apply(d).equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown "
                        + kind
                        + " '"
                        + name
                        + "'; this version knows: "
                        + known.stream().map(nameOf).collect(Collectors.joining(", "))));
  }
}
