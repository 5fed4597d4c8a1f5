package dev.metaplastic.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesTest {
  @Test
  void listsEveryRuleInReadmeOrder() {
    assertEquals(
        List.of(
            "si",
            "ewc",
            "online_ewc",
            "mas",
            "gpm",
            "benna_fusi",
            "meta",
            "neuromod_lr",
            "neuromod_gate"),
        Rules.names());
  }

  @Test
  void unknownRuleNamesTheKnownOnes() {
    var unknown =
        assertThrows(
            IllegalArgumentException.class, () -> Rules.fromHyperparameters("nope", Map.of()));
    assertEquals(
        "unknown rule 'nope'; this version knows: si, ewc, online_ewc, mas, gpm, benna_fusi, meta,"
            + " neuromod_lr, neuromod_gate",
        unknown.getMessage());
  }
}
