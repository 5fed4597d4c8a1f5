package dev.metaplastic.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's rule table and preset table are the registry's: each is generated here from the
 * descriptors ({@link RuleDescriptor#summary}, {@link RuleDescriptor#presetSource}, the presets;
 * {@link FastWeightRuleDescriptor#summary}) and must equal the README's table, found by its header.
 * Everything else in the README is free prose.
 *
 * <p>After adding or changing a rule, regenerate both tables with {@value #UPDATE}.
 */
class ReadmeTablesTest {
  private static final Path README = Path.of("..", "README.md");
  private static final String RULE_HEADER = "| rule (`--rule`) | paper | per-synapse state |";
  private static final String PRESET_HEADER =
      "| rule | split streams | permuted streams | source |";
  static final String UPDATE =
      "./mvnw -B -q -pl ops -Dspotless.check.skip=true test -Dtest=ReadmeTablesTest"
          + " -Dreadme.update=true";

  @Test
  void ruleTableIsTheRegistrys() throws IOException {
    assertTable(RULE_HEADER, ruleTable());
  }

  @Test
  void presetTableIsTheRegistrys() throws IOException {
    assertTable(PRESET_HEADER, presetTable());
  }

  /** Every rule, consolidation rules first, each in one row: title, paper, state. */
  static List<String> ruleTable() {
    List<String> rows = new ArrayList<>(List.of(RULE_HEADER, "|---|---|---|"));
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      rows.add(row(rule.summary(), "`" + rule.cliName() + "`"));
    }
    for (FastWeightRuleDescriptor rule : Rules.fastWeight()) {
      rows.add(row(rule.summary(), "`" + rule.name() + "`; `plastic`"));
    }
    return rows;
  }

  private static String row(RuleSummary summary, String names) {
    return "| %s (%s) | %s | %s |"
        .formatted(summary.title(), names, summary.source(), summary.state());
  }

  /** Every consolidation rule's presets on split and permuted streams, and where they come from. */
  static List<String> presetTable() {
    List<String> rows = new ArrayList<>(List.of(PRESET_HEADER, "|---|---|---|---|"));
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      rows.add(
          "| %s (`%s`) | `%s` | `%s` | %s |"
              .formatted(
                  rule.summary().title(),
                  rule.cliName(),
                  presets(rule, StreamKind.SPLIT),
                  presets(rule, StreamKind.PERMUTED),
                  rule.presetSource()));
    }
    return rows;
  }

  /**
   * How the README writes a rule's presets for a kind of stream: {@code c=1.0, xi=0.001}, then
   * {@code ; binarized: ...} where a binarized network takes others.
   */
  private static String presets(RuleDescriptor<?> rule, StreamKind stream) {
    var real = rule.presetValues(stream, false);
    var binarized = rule.presetValues(stream, true);
    String text = rule.assignments(real);
    return binarized.equals(real) ? text : text + "; binarized: " + rule.assignments(binarized);
  }

  /**
   * Asserts that the README's table headed {@code header} is {@code expected}; with {@code
   * -Dreadme.update=true}, first writes {@code expected} in its place.
   */
  private static void assertTable(String header, List<String> expected) throws IOException {
    List<String> lines = new ArrayList<>(Files.readAllLines(README, StandardCharsets.UTF_8));
    int start = lines.indexOf(header);
    assertTrue(start >= 0, "README has a table headed " + header);
    int end = start;
    while (end < lines.size() && lines.get(end).startsWith("|")) {
      end++;
    }
    if (Boolean.getBoolean("readme.update")) {
      lines.subList(start, end).clear();
      lines.addAll(start, expected);
      Files.write(README, lines, StandardCharsets.UTF_8);
      end = start + expected.size();
    }
    assertEquals(
        String.join("\n", expected),
        String.join("\n", lines.subList(start, end)),
        "the README's table differs from the registry; regenerate it with " + UPDATE);
  }
}
