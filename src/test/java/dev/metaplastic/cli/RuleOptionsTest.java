package dev.metaplastic.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.NeuromodulatoryGate;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.RuleDescriptor;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.SynapticIntelligence;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

class RuleOptionsTest {
  @Test
  void taskIncrementalPermutedStreamTakesThePermutedPresets() {
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      for (boolean binarized : List.of(false, true)) {
        assertEquals(
            rule.presetValues(RuleOptions.streamKind("permuted"), binarized),
            rule.presetValues(RuleOptions.streamKind("permuted-task"), binarized),
            rule.name());
      }
    }
    RuleDescriptor<?> si = Rules.descriptor("si");
    assertNotEquals(
        si.presetValues(RuleOptions.streamKind("split"), false),
        si.presetValues(RuleOptions.streamKind("permuted-task"), false));
  }

  @Command(name = "options")
  static final class Options {
    @Mixin RuleOptions rule;
  }

  private static RuleOptions parsed(String... args) {
    Options options = new Options();
    new CommandLine(options).parseArgs(args);
    return options.rule;
  }

  @Test
  void neuromodulatorsJoinedToARuleMakeOneGate() {
    RuleOptions options = parsed("--kappa-da", "3");
    List<RuleConfig> rules = options.rules("si+da+na", "permuted", false);
    assertEquals(2, rules.size());
    assertEquals(Rules.descriptor("si").preset(RuleOptions.streamKind("permuted")), rules.get(0));
    NeuromodulatoryGate.Config gate = (NeuromodulatoryGate.Config) rules.get(1);
    assertEquals(Modulator.parse("da+na"), gate.modulators());
    assertEquals(3.0, gate.dopamineSlope());
    assertEquals(NeuromodulatoryGate.DESCRIPTOR.defaults().gainSlope(), gate.gainSlope());
    assertEquals(
        List.of(SynapticIntelligence.DESCRIPTOR.defaults()), parsed().rules("si", "split", false));
  }

  @Test
  void anOptionNoChosenModulatorUsesIsAnError() {
    var e =
        assertThrows(
            InvalidInputException.class,
            () -> parsed("--kappa-ach", "3").rules("si+da+na", "split", false));
    assertEquals(
        "--kappa-ach is not an option of si+da+na; si takes --c, --xi; da+na takes --da, --na,"
            + " --ach, --prediction-rate, --kappa-da, --fast-rate, --slow-rate, --kappa-na,"
            + " --min-gain, --max-gain",
        e.getMessage());
    assertEquals(1, parsed("--kappa-ach", "3").rules("ewc+ach", "split", false).size() - 1);
    for (String bad : List.of("si+da+da", "si+neuromod-gate+na", "si+5ht", "da+gaba")) {
      assertFalse(RuleOptions.isCombination(bad), bad);
    }
    assertTrue(RuleOptions.isCombination("ewc+na+ach"));
  }
}
