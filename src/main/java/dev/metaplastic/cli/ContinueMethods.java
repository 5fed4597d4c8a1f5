package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.experiments.Method;
import dev.metaplastic.experiments.Sweep;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.Rules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The methods of {@code metaplastic continue} as the command line names them: {@code --rules}
 * (fine-tuning first, then each rule once with the stream's preset and the rule options given) and
 * each {@code --sweep RULE:PARAMETER=V1,V2,...}.
 */
final class ContinueMethods {
  private static final Pattern SWEEP = Pattern.compile("([^:=]+):([^:=]+)=(.+)");

  private final RuleOptions options;
  private final String stream;

  /**
   * @param options the rule options given
   * @param stream the kind of new tasks, whose presets the rules take
   */
  ContinueMethods(RuleOptions options, String stream) {
    this.options = options;
    this.stream = stream;
  }

  /** Fine-tuning first, then each rule of {@code names} once, with the stream's preset. */
  List<Method> chosen(List<String> names) {
    Map<String, Method> chosen = new LinkedHashMap<>();
    chosen.put(Method.FINETUNE, Method.fineTuning());
    for (String name : names) {
      if (name.equals(Method.FINETUNE) || name.equals(Method.JOINT)) {
        continue;
      }
      RuleConfig rule = rule(name);
      chosen.putIfAbsent(rule.name(), Method.rules(rule.name(), List.of(rule)));
    }
    return List.copyOf(chosen.values());
  }

  /** Parses {@code rule:param=v1,v2,...} into one method per value. */
  Sweep sweep(String text) {
    Matcher m = SWEEP.matcher(text);
    if (!m.matches()) {
      throw new InvalidInputException(
          "--sweep expects RULE:PARAMETER=V1,V2,..., such as ewc:lambda=10,100,1000; got '"
              + text
              + "'");
    }
    RuleConfig base = rule(m.group(1));
    String parameter = m.group(2);
    if (!base.hyperparameters().containsKey(parameter)) {
      throw new InvalidInputException(
          "--sweep "
              + text
              + ": rule "
              + base.name()
              + " has no hyperparameter '"
              + parameter
              + "'; it has "
              + String.join(", ", base.hyperparameters().keySet()));
    }
    Map<String, Method> points = new LinkedHashMap<>();
    for (String value : m.group(3).split(",")) {
      Map<String, Double> h = new LinkedHashMap<>(base.hyperparameters());
      try {
        h.put(parameter, Double.parseDouble(value.trim()));
      } catch (NumberFormatException e) {
        throw new InvalidInputException("--sweep " + text + ": '" + value + "' is not a number", e);
      }
      RuleConfig rule =
          InvalidInputException.validating(
              "--sweep " + text, () -> Rules.fromHyperparameters(base.name(), h));
      String label = parameter + "=" + value.trim();
      points.put(label, Method.rules(base.name() + "-" + label, List.of(rule)));
    }
    return new Sweep(base.name(), parameter, points);
  }

  /** Checks that every rule option given is taken by a chosen or swept rule. */
  void checkTaken(List<Method> chosen, List<Sweep> sweeps) {
    List<String> ruleNames = new ArrayList<>();
    chosen.forEach(
        method ->
            ruleNames.addAll(method.rules().stream().map(r -> r.descriptor().cliName()).toList()));
    sweeps.forEach(sweep -> ruleNames.add(Rules.descriptor(sweep.rule()).cliName()));
    options.checkTaken(ruleNames);
  }

  private RuleConfig rule(String name) {
    if (!RuleOptions.isRule(name)) {
      throw new InvalidInputException(
          "unknown rule '"
              + name
              + "'; expected finetune, joint or one of "
              + String.join(", ", Rules.names()));
    }
    return options.configs(name, stream, false).get(0);
  }
}
