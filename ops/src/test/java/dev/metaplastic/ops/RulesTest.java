package dev.metaplastic.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/** The registry: names, and what every descriptor promises of its rule. */
class RulesTest {
  /**
   * Names are API (manifests and state variables carry them): the rules of earlier versions keep
   * theirs, and no two rules share one. New rules only add names, so this list never grows.
   */
  @Test
  void earlierRulesKeepTheirNames() {
    List<String> names = Rules.names();
    assertTrue(
        names.containsAll(
            List.of("si", "ewc", "online_ewc", "mas", "gpm", "benna_fusi", "meta", "neuromod_lr")),
        names.toString());
    assertEquals(Set.copyOf(names).size(), names.size(), names.toString());
  }

  @Test
  void unknownRuleNamesTheKnownOnes() {
    var unknown =
        assertThrows(
            IllegalArgumentException.class, () -> Rules.fromHyperparameters("nope", Map.of()));
    assertEquals(
        "unknown rule 'nope'; this version knows: " + String.join(", ", Rules.names()),
        unknown.getMessage());
  }

  @Test
  void commandLineNamesDifferOnlyInDashes() {
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      assertEquals(rule.name(), rule.cliName().replace('-', '_'));
      assertSame(rule, Rules.descriptor(rule.cliName()));
    }
  }

  /**
   * Every preset, on every kind of stream and network, makes a valid configuration of its rule that
   * round-trips through the registry, names its rule, prints itself from its hyperparameters, and
   * names every state variable after the rule.
   */
  @Test
  void everyPresetMakesItsRuleWithStateNamedAfterIt() {
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      for (StreamKind stream : StreamKind.values()) {
        for (boolean binarized : List.of(false, true)) {
          RuleConfig config = rule.preset(stream, binarized);
          assertSame(rule, config.descriptor());
          assertEquals(config, Rules.fromHyperparameters(rule.name(), config.hyperparameters()));
          assertEquals(rule.describe(config.hyperparameters()), config.toString());
          assertTrue(config.toString().startsWith(rule.name() + "("), config.toString());
          try (Graph graph = new Graph()) {
            VariableRegistry registry = new VariableRegistry(Ops.create(graph));
            List<Parameter> parameters =
                List.of(
                    InitialValue.glorotUniform(registry.root(), 1, 0, 3, 2)
                        .createParameter(registry, "dense_0/kernel"),
                    InitialValue.zeros(registry.root(), Shape.of(2))
                        .createParameter(registry, "dense_0/bias"));
            ConsolidationRule attached =
                config.attach(
                    new RuleConfig.Attachment(
                        registry,
                        parameters,
                        List.of(new DenseLayer(parameters.get(0), parameters.get(1)))));
            assertSame(config, attached.config());
            for (StateVariable state : attached.state()) {
              assertTrue(state.name().startsWith(rule.name() + "/"), state.name());
            }
          }
        }
      }
    }
  }

  @Test
  void unknownAndMissingHyperparametersAreRefused() {
    var unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> Rules.fromHyperparameters("si", Map.of("c", 1.0, "xi", 0.1, "lambda", 3.0)));
    assertEquals("rule si has no hyperparameter 'lambda'; it has c, xi", unknown.getMessage());
    var missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> Rules.fromHyperparameters("si", Map.of("c", 1.0)));
    assertEquals("rule si lacks hyperparameter 'xi'", missing.getMessage());
  }

  /**
   * The Java presets are the command line's: SI's permuted preset is the c = 10 the README's
   * permuted results were measured with, not the paper's 0.1.
   */
  @Test
  void javaConstantsAreThePresets() {
    assertEquals(new SynapticIntelligence.Config(1, 1e-3), SynapticIntelligence.Config.SPLIT);
    assertEquals(new SynapticIntelligence.Config(10, 0.1), SynapticIntelligence.Config.PERMUTED);
    assertEquals(
        SynapticIntelligence.DESCRIPTOR.preset(StreamKind.PERMUTED),
        SynapticIntelligence.Config.PERMUTED);
    assertEquals(
        NeuromodulatedLearningRate.DESCRIPTOR.defaults(),
        NeuromodulatedLearningRate.Config.DEFAULT);
    assertNotEquals(
        Metaplasticity.DESCRIPTOR.preset(StreamKind.SPLIT, false),
        Metaplasticity.DESCRIPTOR.preset(StreamKind.SPLIT, true));
  }
}
