package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.data.Task;
import dev.metaplastic.graphs.Manifests;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.graphs.proto.Manifest;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.savedmodel.LoadedModel;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.ContinualTrainer;
import dev.metaplastic.train.ModelSession;
import dev.metaplastic.train.TrainerConfig;
import dev.metaplastic.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** Records the loss of every step. */
  private static final class Losses implements TrainingListener {
    final List<Float> values = new ArrayList<>();

    @Override
    public void stepFinished(Task task, long step, ModelSession.StepResult result) {
      values.add(result.loss());
    }
  }

  static Stream<Arguments> rules() {
    return Stream.of(
        Arguments.of(rule("si", Map.of("c", 1.0, "xi", 1e-3)), false),
        Arguments.of(rule("ewc", Map.of("lambda", 100.0, "samples", 20.0)), false),
        Arguments.of(
            rule("online_ewc", Map.of("lambda", 100.0, "gamma", 0.9, "samples", 20.0)), false),
        Arguments.of(rule("mas", Map.of("lambda", 1.0, "samples", 20.0)), false),
        Arguments.of(rule("gpm", Map.of("threshold", 0.9, "samples", 20.0)), false),
        Arguments.of(rule("benna_fusi", Map.of("chain_length", 4.0, "coupling", 0.2)), false),
        Arguments.of(rule("meta", Map.of("m", 1.0, "reference", 1.0)), false),
        Arguments.of(rule("meta", Map.of("m", 1.35, "reference", 0.0)), true),
        Arguments.of(
            rule(
                "neuromod_lr",
                Map.of("kappa", 2.0, "baseline_rate", 0.2, "min_gain", 0.5, "max_gain", 3.0)),
            false),
        Arguments.of(
            rule(
                "neuromod_gate",
                Map.ofEntries(
                    Map.entry("da", 1.0),
                    Map.entry("na", 1.0),
                    Map.entry("ach", 1.0),
                    Map.entry("prediction_rate", 0.2),
                    Map.entry("fast_rate", 0.5),
                    Map.entry("slow_rate", 0.1),
                    Map.entry("kappa_da", 1.0),
                    Map.entry("kappa_na", 2.0),
                    Map.entry("kappa_ach", 2.0),
                    Map.entry("min_gain", 0.25),
                    Map.entry("max_gain", 3.0))),
            false));
  }

  @ParameterizedTest(name = "{0}, binarized {1}")
  @MethodSource("rules")
  void reloadedModelContinuesBitIdentically(RuleConfig rule, boolean binarized) {
    TrainerConfig config =
        new TrainerConfig(
            List.of(32, 16),
            1,
            64,
            OptimizerConfig.Adam.withLearningRate(0.002),
            List.of(rule),
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
      SavedModels.export(model, ContinualTrainer.describe(Fixtures.STREAM), exported);
      int before = losses.values.size();
      trainer.trainTask(model, Fixtures.STREAM, 2);
      uninterrupted = new ArrayList<>(losses.values.subList(before, losses.values.size()));
      uninterruptedState = Fixtures.snapshot(model);
    }
    Manifest manifest = SavedModels.readManifest(exported);
    assertEquals(rule.name(), manifest.getRules(0).getName());
    assertEquals(rule, Manifests.rules(manifest).get(0));
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
    List<String> covered = rules().map(a -> ((RuleConfig) a.get()[0]).name()).toList();
    assertTrue(covered.containsAll(Rules.names()), covered + " vs " + Rules.names());
  }

  private static RuleConfig rule(String name, Map<String, Double> hyperparameters) {
    return Rules.fromHyperparameters(name, hyperparameters);
  }
}
