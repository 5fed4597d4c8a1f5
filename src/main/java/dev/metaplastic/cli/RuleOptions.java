package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.ops.Hyperparameter;
import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.NeuromodulatoryGate;
import dev.metaplastic.ops.NeuromodulatoryGate.Switch;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.RuleDescriptor;
import dev.metaplastic.ops.Rules;
import dev.metaplastic.ops.StreamKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The rules' hyperparameters on the command line, all derived from the registry ({@link Rules}):
 * one option per hyperparameter name, {@code --lambda}, {@code --chain-length} (with {@code -} for
 * {@code _}) and the aliases the descriptors keep (such as {@code --meta} for {@code m}), and
 * {@code --set NAME=VALUE} for any of them. A given value replaces the rule's preset for the kind
 * of stream ({@link dev.metaplastic.ops.RuleDescriptor#preset}) in every chosen rule that has the
 * hyperparameter; a value that no chosen rule takes is an error naming the rules' options.
 *
 * <p>The neuromodulators that gate consolidation rules ({@code da}, {@code na}, {@code ach}) may be
 * joined to rules as if they were rules: together they make one {@link NeuromodulatoryGate} of
 * those modulators, so {@code si+na+ach} is SI gated by noradrenaline and acetylcholine (the gate
 * {@code neuromod-gate} with {@code na} and {@code ach} on and {@code da} off).
 */
@Command(modelTransformer = RuleOptions.HyperparameterOptions.class)
final class RuleOptions {
  /** This mixin's spec; its command line's command holds the generated options. */
  @Spec CommandSpec self;

  @Option(
      names = "--set",
      paramLabel = "NAME=VALUE",
      description =
          "A rule hyperparameter by its name, such as --set lambda=100 (the same as --lambda"
              + " 100); repeatable. Default: the stream's preset.")
  Map<String, String> set = new LinkedHashMap<>();

  /** The rules' command-line names, for option descriptions: {@code si, ewc, online-ewc, ...}. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Rules.consolidation().stream().map(RuleDescriptor::cliName).iterator();
    }
  }

  /** Adds one option per hyperparameter name of the registry to the command. */
  static final class HyperparameterOptions implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      byName()
          .forEach(
              (name, declared) -> {
                Hyperparameter first = declared.get(0).hyperparameter(name).orElseThrow();
                List<String> names = new ArrayList<>(List.of(option(name)));
                first.aliases().forEach(alias -> names.add(option(alias)));
                Map<String, List<String>> meanings = new LinkedHashMap<>();
                for (RuleDescriptor<?> rule : declared) {
                  meanings
                      .computeIfAbsent(
                          rule.hyperparameter(name).orElseThrow().description(),
                          d -> new ArrayList<>())
                      .add(rule.cliName());
                }
                List<String> parts = new ArrayList<>();
                meanings.forEach(
                    (meaning, rules) -> parts.add(String.join(", ", rules) + ": " + meaning));
                spec.addOption(
                    OptionSpec.builder(names.toArray(new String[0]))
                        .type(String.class)
                        .paramLabel("<" + name + ">")
                        .description(String.join("; ", parts) + ". Default: the stream's preset.")
                        .build());
              });
      return spec;
    }
  }

  /**
   * {@code si, ewc, online-ewc, ...}: every rule's command-line name, then the neuromodulators that
   * may be joined to them.
   */
  static String cliNames() {
    return String.join(", ", new Names())
        + ", or the neuromodulators "
        + String.join(", ", modulatorNames())
        + " joined to the rules they gate (si+na+ach)";
  }

  /**
   * The rules named on the command line: none for {@code none} (fine-tuning), one rule, or several
   * joined by {@code +} to share one graph, such as {@code ewc+neuromod-lr} (EWC's penalty with the
   * neuromodulated learning-rate gate; at most one of them may transform the optimizer's steps),
   * each with its preset for stream kind {@code stream} and the given options.
   *
   * @throws InvalidInputException for an unknown rule, or an option none of them takes
   */
  List<RuleConfig> rules(String cliName, String stream, boolean binarized) {
    List<RuleConfig> rules = configs(cliName, stream, binarized);
    checkTaken(List.of(cliName));
    return rules;
  }

  /** The one rule {@code cliName}, as {@link #rules}. */
  RuleConfig rule(String cliName, String stream, boolean binarized) {
    return rules(cliName, stream, binarized).get(0);
  }

  /**
   * As {@link #rules}, without checking the options: for commands that compare several methods and
   * check the options against all of them with {@link #checkTaken}.
   */
  List<RuleConfig> configs(String cliName, String stream, boolean binarized) {
    if (cliName.equals("none")) {
      return List.of();
    }
    if (!isCombination(cliName)) {
      throw new InvalidInputException(
          "unknown rule '" + cliName + "'; expected none or one of " + cliNames());
    }
    StreamKind kind = streamKind(stream);
    Map<String, Double> given = given();
    List<RuleConfig> out = new ArrayList<>();
    Set<Modulator> modulators = EnumSet.noneOf(Modulator.class);
    for (String part : cliName.split("\\+")) {
      if (isModulator(part)) {
        modulators.add(Modulator.named(part));
      } else {
        RuleDescriptor<?> rule = Rules.descriptor(part);
        out.add(configure(part, rule, rule.presetValues(kind, binarized), given));
      }
    }
    if (!modulators.isEmpty()) {
      Map<String, Double> preset = NeuromodulatoryGate.DESCRIPTOR.presetValues(kind, binarized);
      for (Modulator m : NeuromodulatoryGate.GATES) {
        Switch on = modulators.contains(m) ? Switch.ON : Switch.OFF;
        preset.put(m.shortName(), (double) on.ordinal());
      }
      out.add(
          configure(Modulator.describe(modulators), NeuromodulatoryGate.DESCRIPTOR, preset, given));
    }
    return out;
  }

  /**
   * Rule {@code descriptor} from {@code preset} with every given value it takes; {@code label} is
   * how the command line named it (a rule, or a gate's modulators) for the error message.
   */
  private static RuleConfig configure(
      String label,
      RuleDescriptor<?> descriptor,
      Map<String, Double> preset,
      Map<String, Double> given) {
    Map<String, Double> values = new LinkedHashMap<>(preset);
    given.forEach(
        (name, value) -> {
          if (values.containsKey(name)) {
            values.put(name, value);
          }
        });
    return InvalidInputException.validating("--rule " + label, () -> descriptor.config(values));
  }

  /**
   * The kind of stream whose presets a stream of the command line takes: {@code permuted} and
   * {@code permuted-task} the permuted presets, every other ({@code split}, {@code split-class},
   * {@code generated}) the split ones.
   */
  static StreamKind streamKind(String stream) {
    return stream.startsWith("permuted") ? StreamKind.PERMUTED : StreamKind.SPLIT;
  }

  /**
   * Checks that every option given is taken by at least one of the rules in {@code cliNames} (each
   * {@code none}, a rule, or rules joined with {@code +}; unknown names are ignored here).
   *
   * @throws InvalidInputException naming the option and the options the rules take
   */
  void checkTaken(Collection<String> cliNames) {
    Map<String, Set<String>> taken = new LinkedHashMap<>();
    for (String name : cliNames) {
      Set<Modulator> modulators = EnumSet.noneOf(Modulator.class);
      for (String part : name.split("\\+")) {
        if (isRule(part)) {
          RuleDescriptor<?> rule = Rules.descriptor(part);
          taken.put(
              rule.cliName(),
              rule.hyperparameters().stream()
                  .map(Hyperparameter::name)
                  .collect(Collectors.toCollection(LinkedHashSet::new)));
        } else if (isModulator(part)) {
          modulators.add(Modulator.named(part));
        }
      }
      if (!modulators.isEmpty()) {
        taken.put(
            Modulator.describe(modulators), NeuromodulatoryGate.actingHyperparameters(modulators));
      }
    }
    for (String name : given().keySet()) {
      if (taken.values().stream().noneMatch(names -> names.contains(name))) {
        throw new InvalidInputException(
            givenAs(name)
                + " is not an option of "
                + (cliNames.isEmpty() ? "none" : String.join(", ", cliNames))
                + "; "
                + takes(taken));
      }
    }
  }

  /** The values given, by hyperparameter name, parsed by kind. */
  private Map<String, Double> given() {
    Map<String, Double> values = new LinkedHashMap<>();
    Map<String, List<RuleDescriptor<?>>> known = byName();
    known.forEach(
        (name, declared) -> {
          String text = generated(name).getValue();
          if (text != null) {
            values.put(name, parse(declared, name, text));
          }
        });
    set.forEach(
        (key, text) -> {
          String name = key.trim().replace('-', '_');
          if (values.containsKey(name)) {
            throw new InvalidInputException(
                "hyperparameter '"
                    + name
                    + "' is given twice (--set "
                    + key
                    + " and "
                    + option(name)
                    + ")");
          }
          List<RuleDescriptor<?>> declared = known.get(name);
          if (declared == null) {
            throw new InvalidInputException(
                "--set "
                    + key
                    + ": no rule has a hyperparameter '"
                    + name
                    + "'; the rules' hyperparameters are "
                    + String.join(", ", known.keySet()));
          }
          values.put(name, parse(declared, name, text));
        });
    return values;
  }

  /**
   * The value {@code text} of hyperparameter {@code name}, as its first declaring rule reads it.
   */
  private static double parse(List<RuleDescriptor<?>> declared, String name, String text) {
    Hyperparameter h = declared.get(0).hyperparameter(name).orElseThrow();
    return InvalidInputException.validating("", () -> h.parse(text));
  }

  /** How the user gave hyperparameter {@code name}: {@code --lambda}, or {@code --set lambda}. */
  private String givenAs(String name) {
    OptionSpec generated = generated(name);
    return generated.getValue() != null ? generated.longestName() : "--set " + name;
  }

  /** The option generated for hyperparameter {@code name}, where the command parsed it. */
  private OptionSpec generated(String name) {
    return self.commandLine().getCommandSpec().findOption(option(name));
  }

  /**
   * {@code ewc takes --lambda, --samples; ...} from each chosen rule's (or gate's) hyperparameters,
   * or that fine-tuning takes no rule options.
   */
  private static String takes(Map<String, Set<String>> taken) {
    if (taken.isEmpty()) {
      return "fine-tuning (none) takes no rule options";
    }
    List<String> parts = new ArrayList<>();
    taken.forEach(
        (rule, names) ->
            parts.add(
                rule
                    + " takes "
                    + names.stream().map(RuleOptions::option).collect(Collectors.joining(", "))));
    return String.join("; ", parts);
  }

  /** Each hyperparameter name of the registry, with the rules that declare it, in order. */
  private static Map<String, List<RuleDescriptor<?>>> byName() {
    Map<String, List<RuleDescriptor<?>>> names = new LinkedHashMap<>();
    for (RuleDescriptor<?> rule : Rules.consolidation()) {
      for (Hyperparameter h : rule.hyperparameters()) {
        names.computeIfAbsent(h.name(), n -> new ArrayList<>()).add(rule);
      }
    }
    return names;
  }

  /** The option of a hyperparameter or alias: {@code --chain-length}. */
  private static String option(String name) {
    return "--" + name.replace('_', '-');
  }

  /**
   * Whether {@code cliName} names a known rule or rules joined by {@code +} (each at most once),
   * such as {@code ewc+neuromod-lr}, with or without neuromodulators joined to them ({@code
   * si+da+na}; not with {@code neuromod-gate}, which they make).
   */
  static boolean isCombination(String cliName) {
    String[] parts = cliName.split("\\+", -1);
    Set<String> seen = new HashSet<>();
    boolean modulated = false;
    for (String part : parts) {
      if (!(isRule(part) || isModulator(part)) || !seen.add(part.replace('-', '_'))) {
        return false;
      }
      modulated |= isModulator(part);
    }
    return !(modulated && seen.contains(NeuromodulatoryGate.NAME));
  }

  /** Whether {@code part} names a neuromodulator that gates consolidation rules: da, na, ach. */
  static boolean isModulator(String part) {
    return modulatorNames().contains(part);
  }

  private static List<String> modulatorNames() {
    return NeuromodulatoryGate.GATES.stream().map(Modulator::shortName).toList();
  }

  /** Whether {@code cliName} (such as {@code online-ewc}) names a known rule. */
  static boolean isRule(String cliName) {
    return Rules.names().contains(cliName.replace('-', '_'));
  }
}
