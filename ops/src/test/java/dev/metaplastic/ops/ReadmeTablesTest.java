package dev.metaplastic.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's rule table and preset table say what the registry says: in the rule table every rule
 * is named, in backquotes, in the first cell of exactly one row, and every row names a rule; the
 * preset table has one row per consolidation rule whose split and permuted cells are the rule's
 * presets. Rows are found by rule name, so the README may reorder, reword and reflow everything
 * else.
 */
class ReadmeTablesTest {
  private static final Path README = Path.of("..", "README.md");
  private static final Pattern NAME = Pattern.compile("`([a-z0-9_-]+)`");

  @Test
  void ruleTableHasOneRowPerRule() throws IOException {
    List<String> expected = new ArrayList<>(Rules.names());
    expected.addAll(Rules.fastWeightNames());
    List<String> named = new ArrayList<>();
    for (List<String> row : table("per-synapse state")) {
      List<String> rules = names(row.get(0), expected);
      assertEquals(true, !rules.isEmpty(), "a row of the rule table names no rule: " + row.get(0));
      named.addAll(rules);
    }
    assertEquals(sorted(expected), sorted(named), "rules named in the README's rule table");
  }

  @Test
  void presetTableGivesEveryRulesPresets() throws IOException {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (List<String> row : table("| split streams | permuted streams |")) {
      List<String> rules = names(row.get(0), Rules.names());
      assertEquals(1, rules.size(), "a preset row names one rule: " + row.get(0));
      rows.put(rules.get(0), row);
    }
    assertEquals(sorted(Rules.names()), sorted(List.copyOf(rows.keySet())), "preset table rows");
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      List<String> row = rows.get(rule.name());
      assertEquals(presets(rule, StreamKind.SPLIT), unquoted(row.get(1)), rule.name() + ", split");
      assertEquals(
          presets(rule, StreamKind.PERMUTED), unquoted(row.get(2)), rule.name() + ", permuted");
    }
  }

  /**
   * How the README writes a rule's presets for a kind of stream: {@code c=1.0, xi=0.001}, then
   * {@code ; binarized: ...} where a binarized network takes others.
   */
  private static String presets(RuleDescriptor<?> rule, StreamKind stream) {
    Map<String, Double> real = rule.presetValues(stream, false);
    Map<String, Double> binarized = rule.presetValues(stream, true);
    String text = rule.assignments(real);
    return binarized.equals(real) ? text : text + "; binarized: " + rule.assignments(binarized);
  }

  /** The cells of each row of the first table whose header contains {@code header}. */
  private static List<List<String>> table(String header) throws IOException {
    List<String> lines = Files.readAllLines(README);
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("|") && lines.get(i).contains(header)) {
        start = i;
        break;
      }
    }
    assertEquals(true, start >= 0, "README has a table headed " + header);
    List<List<String>> rows = new ArrayList<>();
    for (int i = start + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      List<String> cells = new ArrayList<>();
      for (String cell : lines.get(i).split("(?<!\\\\)\\|", -1)) {
        cells.add(cell.trim());
      }
      rows.add(cells.subList(1, cells.size() - 1));
    }
    return rows;
  }

  /**
   * The names of {@code known} a cell gives in backquotes, as the registry or the command line
   * spells them ({@code online_ewc} or {@code online-ewc}).
   */
  private static List<String> names(String cell, List<String> known) {
    List<String> names = new ArrayList<>();
    Matcher m = NAME.matcher(cell);
    while (m.find()) {
      String name = m.group(1).replace('-', '_');
      if (known.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  private static String unquoted(String cell) {
    return cell.replace("`", "");
  }

  private static List<String> sorted(List<String> names) {
    Map<String, Integer> counts = new TreeMap<>();
    names.forEach(n -> counts.merge(n, 1, Integer::sum));
    List<String> out = new ArrayList<>();
    counts.forEach((n, c) -> out.add(c == 1 ? n : n + " x" + c));
    return out;
  }
}
