package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.NeuromodulatoryGate;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The hyperparameters of the consolidation rules. Each option overrides the rule's preset for the
 * stream ({@link RulePresets}); options a rule does not have are ignored by it.
 */
final class RuleOptions {
  /** The rules as the command line names them. */
  static final String CLI_NAMES =
      "si, ewc, online-ewc, mas, gpm, benna-fusi, meta, neuromod-lr, neuromod-gate, or the"
          + " neuromodulators da, na, ach gating the rules they are joined with (si+na+ach)";

  @Option(names = "--c", description = "SI strength c. Default: the stream's preset.")
  Double c;

  @Option(names = "--xi", description = "SI damping xi. Default: the stream's preset.")
  Double xi;

  @Option(
      names = "--lambda",
      description = "EWC, online EWC and MAS strength lambda. Default: the stream's preset.")
  Double lambda;

  @Option(
      names = "--gamma",
      description = "Online EWC decay gamma of the running Fisher. Default: the stream's preset.")
  Double gamma;

  @Option(
      names = "--samples",
      description =
          "Examples per task boundary for the EWC, online EWC and MAS importance estimates and"
              + " GPM's input subspace."
              + " Default: the stream's preset.")
  Double samples;

  @Option(
      names = "--threshold",
      description =
          "GPM threshold epsilon in (0, 1]: the share of each task's input energy whose subspace"
              + " is protected. Default: the stream's preset.")
  Double threshold;

  @Option(
      names = "--meta",
      description = "Metaplasticity strength m. Default: the stream's preset.")
  Double meta;

  @Option(
      names = "--chain-length",
      description = "Benna-Fusi chain length N. Default: the stream's preset.")
  Double chainLength;

  @Option(
      names = "--coupling",
      description = "Benna-Fusi coupling g_12 of the first link. Default: the stream's preset.")
  Double coupling;

  @Option(
      names = "--kappa",
      description =
          "Neuromodulated learning rate: gain kappa per unit of relative loss surprise."
              + " Default: the stream's preset.")
  Double kappa;

  @Option(
      names = "--baseline-rate",
      description =
          "Neuromodulated learning rate: rate beta of the running loss baseline, in (0, 1]."
              + " Default: the stream's preset.")
  Double baselineRate;

  @Option(
      names = "--kappa-da",
      description =
          "Neuromodulatory gate: dopamine's slope kappa_DA on the rate. Default: the preset.")
  Double kappaDa;

  @Option(
      names = "--kappa-na",
      description =
          "Neuromodulatory gate: noradrenaline's slope kappa_NA on the rate. Default: the preset.")
  Double kappaNa;

  @Option(
      names = "--kappa-ach",
      description =
          "Neuromodulatory gate: acetylcholine's slope kappa_ACh on the penalties' strength."
              + " Default: the preset.")
  Double kappaAch;

  @Option(
      names = "--min-gain",
      description = "Neuromodulated learning rate: lowest gain. Default: the stream's preset.")
  Double minGain;

  @Option(
      names = "--max-gain",
      description = "Neuromodulated learning rate: highest gain. Default: the stream's preset.")
  Double maxGain;

  /**
   * The rule {@code cliName} (such as {@code online-ewc}) with the preset of stream kind {@code
   * stream} overridden by these options.
   */
  RuleConfig rule(String cliName, String stream, boolean binarized) {
    if (!isRule(cliName)) {
      throw new InvalidInputException(
          "unknown rule '" + cliName + "'; expected one of " + CLI_NAMES);
    }
    String name = cliName.replace('-', '_');
    return configure(cliName, name, RulePresets.defaults(name, stream, binarized));
  }

  /** The neuromodulatory gate of {@code modulators}, its other constants from the preset. */
  private RuleConfig gate(Set<Modulator> modulators, String stream, boolean binarized) {
    Map<String, Double> h =
        new LinkedHashMap<>(RulePresets.defaults(NeuromodulatoryGate.NAME, stream, binarized));
    for (Modulator m : NeuromodulatoryGate.GATES) {
      h.put(m.shortName(), modulators.contains(m) ? 1.0 : 0.0);
    }
    return configure(Modulator.describe(modulators), NeuromodulatoryGate.NAME, h);
  }

  /**
   * Rule {@code name} with {@code preset} overridden by these options; {@code cliName} is how the
   * command line named it, for the error message.
   */
  private RuleConfig configure(String cliName, String name, Map<String, Double> preset) {
    Map<String, Double> h = new LinkedHashMap<>(preset);
    Map<String, Double> given = new LinkedHashMap<>();
    given.put("c", c);
    given.put("xi", xi);
    given.put("lambda", lambda);
    given.put("gamma", gamma);
    given.put("samples", samples);
    given.put("threshold", threshold);
    given.put("m", meta);
    given.put("chain_length", chainLength);
    given.put("coupling", coupling);
    given.put("kappa", kappa);
    given.put("baseline_rate", baselineRate);
    given.put("min_gain", minGain);
    given.put("max_gain", maxGain);
    given.put("kappa_da", kappaDa);
    given.put("kappa_na", kappaNa);
    given.put("kappa_ach", kappaAch);
    given.forEach(
        (key, value) -> {
          if (value != null && h.containsKey(key)) {
            h.put(key, value);
          }
        });
    return InvalidInputException.validating(
        "--rule " + cliName, () -> Rules.fromHyperparameters(name, h));
  }

  /**
   * The rules named on the command line: none for {@code none} (fine-tuning), one rule, or several
   * joined by {@code +} to share one graph, such as {@code ewc+neuromod-lr} (EWC's penalty with the
   * neuromodulated learning-rate gate; at most one of them may transform the optimizer's steps).
   * Neuromodulators among them ({@code da}, {@code na}, {@code ach}) make one {@link
   * NeuromodulatoryGate} of those modulators: {@code si+na+ach} is SI gated by noradrenaline and
   * acetylcholine.
   */
  List<RuleConfig> rules(String cliName, String stream, boolean binarized) {
    if (cliName.equals("none")) {
      return List.of();
    }
    if (!isCombination(cliName)) {
      throw new InvalidInputException(
          "unknown rule '" + cliName + "'; expected none or one of " + CLI_NAMES);
    }
    List<RuleConfig> out = new ArrayList<>();
    Set<Modulator> modulators = EnumSet.noneOf(Modulator.class);
    for (String part : cliName.split("\\+")) {
      if (isModulator(part)) {
        modulators.add(Modulator.named(part));
      } else {
        out.add(rule(part, stream, binarized));
      }
    }
    if (!modulators.isEmpty()) {
      out.add(gate(modulators, stream, binarized));
    }
    return out;
  }

  /**
   * Whether {@code cliName} names a known rule or rules joined by {@code +} (each at most once),
   * such as {@code ewc+neuromod-lr}.
   */
  static boolean isCombination(String cliName) {
    String[] parts = cliName.split("\\+", -1);
    Set<String> seen = new HashSet<>();
    for (String part : parts) {
      if (!(isRule(part) || isModulator(part)) || !seen.add(part.replace('-', '_'))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code part} names a neuromodulator that gates consolidation rules (da, na, ach). */
  static boolean isModulator(String part) {
    return NeuromodulatoryGate.GATES.stream().anyMatch(m -> m.shortName().equals(part));
  }

  /** Whether {@code cliName} (such as {@code online-ewc}) names a known rule. */
  static boolean isRule(String cliName) {
    return Rules.names().contains(cliName.replace('-', '_'));
  }
}
