package dev.metaplastic.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.metaplastic.ops.Rules;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulePresetsTest {
  @Test
  void taskIncrementalPermutedStreamTakesThePermutedPresets() {
    for (String rule : Rules.names()) {
      for (boolean binarized : List.of(false, true)) {
        assertEquals(
            RulePresets.defaults(rule, "permuted", binarized),
            RulePresets.defaults(rule, "permuted-task", binarized),
            rule);
      }
    }
    assertNotEquals(
        RulePresets.defaults("si", "split", false),
        RulePresets.defaults("si", "permuted-task", false));
  }
}
