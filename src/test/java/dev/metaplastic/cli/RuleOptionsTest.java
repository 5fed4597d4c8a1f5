package dev.metaplastic.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.metaplastic.ops.RuleDescriptor;
import dev.metaplastic.ops.Rules;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
