package dev.metaplastic.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/**
 * The fast-weight rules of the registry: names, the coefficients each rule declares (contract names
 * after the rule and shapes), and refusals. The rules' equations are checked through the plastic
 * cell that uses them ({@code PlasticRnnTest}) and in the equation classes' own tests.
 */
class FastWeightRulesTest {
  private static final int IN = 3;
  private static final int OUT = 4;

  @Test
  void listsEveryRule() {
    assertEquals(
        List.of("hebbian", "oja", "neuromodulated", "gradient", "dopamine"),
        Rules.fastWeightNames());
  }

  @Test
  void eachRuleDeclaresItsCoefficientsUnderContractNames() {
    Map<String, Map<String, Shape>> expected =
        Map.of(
            "hebbian",
            Map.of(
                "hebbian/layer/kernel/alpha", Shape.of(IN, OUT),
                "hebbian/layer/kernel/eta", Shape.scalar()),
            "oja",
            Map.of(
                "oja/layer/kernel/alpha", Shape.of(IN, OUT),
                "oja/layer/kernel/eta", Shape.scalar()),
            "neuromodulated",
            Map.of(
                "neuromodulated/layer/kernel/alpha", Shape.of(IN, OUT),
                "neuromodulated/layer/kernel/modulator_kernel", Shape.of(OUT, 1),
                "neuromodulated/layer/kernel/modulator_bias", Shape.of(1)),
            "gradient",
            Map.of(
                "gradient/layer/kernel/eta", Shape.of(IN, OUT),
                "gradient/layer/kernel/target_kernel", Shape.of(OUT, OUT),
                "gradient/layer/kernel/target_bias", Shape.of(OUT)),
            "dopamine",
            Map.of(
                "dopamine/layer/kernel/alpha", Shape.of(IN, OUT),
                "dopamine/layer/kernel/value_kernel", Shape.of(IN, 1),
                "dopamine/layer/kernel/value_bias", Shape.of(1)));
    assertEquals(true, Rules.fastWeightNames().containsAll(expected.keySet()));
    for (FastWeightRuleDescriptor descriptor : Rules.fastWeight()) {
      String name = descriptor.name();
      try (Graph graph = new Graph()) {
        VariableRegistry registry = new VariableRegistry(Ops.create(graph));
        Parameter w =
            InitialValue.glorotUniform(registry.root(), 1, 0, IN, OUT)
                .createParameter(registry, "layer/kernel");
        FastWeightRule rule =
            descriptor.attach(new FastWeightRule.Attachment(registry, w, 1, OptionalInt.of(0)));
        assertEquals(name, rule.name());
        assertEquals(w, rule.slowWeight());
        Map<String, Shape> declared = new java.util.HashMap<>();
        for (Parameter p : rule.coefficients()) {
          assertEquals(p.name(), p.variable().op().name(), name);
          assertEquals(name + "/", p.name().substring(0, name.length() + 1), "state prefix");
          declared.put(p.name(), p.shape());
        }
        if (expected.containsKey(name)) {
          assertEquals(expected.get(name), declared, name);
        }
      }
    }
  }

  @Test
  void refusesUnknownNamesAndNonMatrixWeights() {
    try (Graph graph = new Graph()) {
      VariableRegistry registry = new VariableRegistry(Ops.create(graph));
      Parameter bias =
          InitialValue.zeros(registry.root(), Shape.of(OUT)).createParameter(registry, "b");
      var unknown =
          assertThrows(IllegalArgumentException.class, () -> Rules.fastWeightRule("stdp"));
      assertEquals(
          "unknown fast-weight rule 'stdp'; this version knows: hebbian, oja, neuromodulated,"
              + " gradient, dopamine",
          unknown.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> new FastWeightRule.Attachment(registry, bias, 0, OptionalInt.empty()));
    }
  }
}
