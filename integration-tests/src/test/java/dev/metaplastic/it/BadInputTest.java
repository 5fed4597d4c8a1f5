package dev.metaplastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.graphs.MlpSpec;
import dev.metaplastic.graphs.OptimizerConfig;
import dev.metaplastic.ops.Hyperparameter;
import dev.metaplastic.ops.RuleDescriptor;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.SynapticIntelligence;
import dev.metaplastic.train.ModelSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input stops with one clear line naming the problem, and no stack trace. */
class BadInputTest {
  @TempDir Path dir;

  @Test
  void missingDataDirectory() {
    Path missing = dir.resolve("nowhere");
    CliRun run = CliRun.of("train", "--data-dir", missing.toString(), "--no-progress");
    assertUserError(run, "data directory " + missing + " does not exist");
  }

  @Test
  void malformedDataFiles() throws IOException {
    for (String name :
        List.of(
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte")) {
      Files.write(dir.resolve(name), new byte[] {0, 0, 8, 3, 0, 0});
    }
    CliRun run = CliRun.of("train", "--data-dir", dir.toString(), "--no-progress");
    assertUserError(run, dir.resolve("train-images-idx3-ubyte").toString());
  }

  @Test
  void divergingTrainingStopsWithNaNMessage() {
    CliRun run =
        CliRun.of(
            "train",
            "--stream",
            "generated",
            "--optimizer",
            "sgd",
            "--lr",
            "1e30",
            "--hidden",
            "16",
            "--epochs",
            "1",
            "--no-progress",
            "--out",
            dir.toString());
    assertUserError(run, "training diverged on task 0");
  }

  @Test
  void unknownRule() {
    CliRun run = CliRun.of("train", "--stream", "generated", "--rule", "magic", "--no-progress");
    assertUserError(
        run,
        "unknown rule 'magic'; expected none or one of "
            + Rules.consolidation().stream()
                .map(RuleDescriptor::cliName)
                .collect(Collectors.joining(", ")));
  }

  /**
   * No silent option: for every rule of the registry, an option of another rule that this one does
   * not take stops the run, naming the options it does take; given through {@code --set} too.
   */
  @Test
  void ruleOptionsTheRuleDoesNotTakeAreRefused() {
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      Hyperparameter foreign =
          Rules.consolidation().stream()
              .flatMap(other -> other.hyperparameters().stream())
              .filter(h -> rule.hyperparameter(h.name()).isEmpty())
              .findFirst()
              .orElseThrow();
      String option = "--" + foreign.name().replace('_', '-');
      String takes =
          rule.cliName()
              + " takes "
              + rule.hyperparameters().stream()
                  .map(h -> "--" + h.name().replace('_', '-'))
                  .collect(Collectors.joining(", "));
      assertUserError(
          train("--rule", rule.cliName(), option, "1"),
          option + " is not an option of " + rule.cliName() + "; " + takes);
      assertUserError(
          train("--rule", rule.cliName(), "--set", foreign.name() + "=1"),
          "--set " + foreign.name() + " is not an option of " + rule.cliName() + "; " + takes);
    }
  }

  @Test
  void ruleOptionsGoToTheRulesOfACombinationThatTakeThem() {
    assertUserError(
        train("--rule", "ewc+neuromod-lr", "--c", "1"),
        "--c is not an option of ewc+neuromod-lr; ewc takes --lambda, --samples; neuromod-lr"
            + " takes --kappa, --baseline-rate, --min-gain, --max-gain");
    assertUserError(
        train("--rule", "none", "--lambda", "1"),
        "--lambda is not an option of none; fine-tuning (none) takes no rule options");
    assertUserError(
        CliRun.of("compare", "--stream", "generated", "--rules", "finetune,si,ewc", "--gamma", "1"),
        "--gamma is not an option of si, ewc; si takes --c, --xi; ewc takes --lambda, --samples");
    assertUserError(
        train("--rule", "si+da+na", "--kappa-ach", "1"),
        "--kappa-ach is not an option of si+da+na; si takes --c, --xi; da+na takes --da,");
    assertUserError(
        train("--rule", "si+da", "--set", "da=maybe"),
        "hyperparameter 'da' takes 0 (off) or 1 (on), got 'maybe'");
    assertUserError(train("--set", "magic=1"), "--set magic: no rule has a hyperparameter 'magic'");
    assertUserError(
        train("--rule", "ewc", "--lambda", "lots"),
        "hyperparameter 'lambda' takes a number, got 'lots'");
  }

  /** {@code train} on a generated stream, without progress bars, with {@code options}. */
  private static CliRun train(String... options) {
    List<String> args = new ArrayList<>(List.of("train", "--stream", "generated", "--no-progress"));
    args.addAll(List.of(options));
    return CliRun.of(args.toArray(new String[0]));
  }

  @Test
  void wrongShapedBatchNamesExpectedSize() {
    MlpSpec spec = new MlpSpec(784, List.of(8), 2, 2, 0);
    try (ModelSession model =
        new ModelSession(
            spec, new OptimizerConfig.Sgd(0.1), List.of(SynapticIntelligence.Config.SPLIT))) {
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> model.trainStep(new float[100], new int[4], new int[4], 4));
      assertEquals(
          "batch of 4 examples needs 3136 features (784 per example), got 100", e.getMessage());
      var label =
          assertThrows(
              IllegalArgumentException.class,
              () -> model.trainStep(new float[784], new int[] {5}, new int[] {0}, 1));
      assertEquals("label 5 of example 0 is outside [0, 2)", label.getMessage());
    }
  }

  private static void assertUserError(CliRun run, String expected) {
    assertEquals(2, run.status(), run.out() + run.err());
    assertTrue(run.err().contains(expected), "stderr should name the problem: " + run.err());
    assertTrue(run.err().startsWith("error: "), run.err());
    assertFalse(run.err().contains("\tat "), "no stack trace expected: " + run.err());
    assertEquals(1, run.err().strip().lines().count(), "one line expected: " + run.err());
  }
}
