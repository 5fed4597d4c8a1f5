package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.internal.ManifestFiles;
import dev.metaplastic.ops.NeuromodulatoryGate;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.RuleDescriptor;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.StreamKind;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule's per-synapse state travels in SavedModels with no rule-specific code: train two
 * tasks, export, reload, train the third; losses and every variable equal those of a run that never
 * stopped, and the manifest names every state variable the model holds.
 */
class EveryRuleRoundTripTest {
  @TempDir Path dir;

  /**
   * Every rule of the registry with its split-stream preset, and with its binarized-network preset
   * where that differs; then EWC gated by the neuromodulatory gate, whose acetylcholine scales
   * EWC's penalty from the gate's saved state. Estimates from {@value #SAMPLES} examples keep the
   * test fast.
   */
  static Stream<Arguments> rules() {
    List<Arguments> rules = new ArrayList<>();
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      Map<String, Double> real = fewSamples(rule.presetValues(StreamKind.SPLIT, false));
      Map<String, Double> binarized = fewSamples(rule.presetValues(StreamKind.SPLIT, true));
      rules.add(Arguments.of(List.of(rule.config(real)), false));
      if (!binarized.equals(real)) {
        rules.add(Arguments.of(List.of(rule.config(binarized)), true));
      }
    }
    RuleDescriptor<?> ewc = Rules.descriptor("ewc");
    rules.add(
        Arguments.of(
            List.of(
                ewc.config(fewSamples(ewc.presetValues(StreamKind.SPLIT, false))),
                NeuromodulatoryGate.DESCRIPTOR.defaults()),
            false));
    return rules.stream();
  }

  private static final double SAMPLES = 20;

  private static Map<String, Double> fewSamples(Map<String, Double> preset) {
    Map<String, Double> values = new LinkedHashMap<>(preset);
    values.computeIfPresent("samples", (name, value) -> SAMPLES);
    return values;
  }

  @ParameterizedTest(name = "{0}, binarized {1}")
  @MethodSource("rules")
  void reloadedModelContinuesBitIdentically(List<RuleConfig> rules, boolean binarized) {
    TrainerConfig config =
        new TrainerConfig(
            List.of(32, 16),
            1,
            64,
            OptimizerConfig.Adam.withLearningRate(0.002),
            rules,
            7,
            binarized);
    Losses losses = new Losses();
    ContinualTrainer trainer = new ContinualTrainer(config, losses);
    Path exported = dir.resolve("after-two-tasks");
    List<Float> uninterrupted;
    Map<String, float[]> uninterruptedState;
    try (ModelSession model = trainer.open(Fixtures.STREAM)) {
      trainer.trainTask(model, Fixtures.STREAM, 0);
      trainer.trainTask(model, Fixtures.STREAM, 1);
      SavedModels.export(model, StreamDescription.of(Fixtures.STREAM), exported);
      int before = losses.values.size();
      trainer.trainTask(model, Fixtures.STREAM, 2);
      uninterrupted = new ArrayList<>(losses.values.subList(before, losses.values.size()));
      uninterruptedState = Fixtures.snapshot(model);
    }
    Manifest manifest = ManifestFiles.read(exported);
    assertEquals(rules.get(0).name(), manifest.getRules(0).getName());
    assertEquals(rules, Manifests.rules(manifest));
    for (String promised : Manifests.promisedVariables(manifest)) {
      assertTrue(uninterruptedState.containsKey(promised), promised);
    }
    Losses resumed = new Losses();
    try (LoadedModel loaded = SavedModels.load(exported)) {
      assertEquals(binarized, loaded.model().spec().binarized());
      new ContinualTrainer(config, resumed).trainTask(loaded.model(), Fixtures.STREAM, 2);
      assertEquals(uninterrupted, resumed.values);
      Map<String, float[]> state = Fixtures.snapshot(loaded.model());
      assertEquals(uninterruptedState.keySet(), state.keySet());
      uninterruptedState.forEach(
          (name, values) -> assertArrayEquals(values, state.get(name), name));
    }
  }

  @Test
  void everyKnownRuleIsCovered() {
    List<String> covered =
        rules()
            .flatMap(a -> ((List<?>) a.get()[0]).stream())
            .map(r -> ((RuleConfig) r).name())
            .toList();
    assertTrue(covered.containsAll(Rules.names()), covered + " vs " + Rules.names());
  }
}
