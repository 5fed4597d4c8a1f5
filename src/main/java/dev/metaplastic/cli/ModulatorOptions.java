package dev.metaplastic.cli;

import static com.google.common.base.Preconditions.checkArgument;

import dev.metaplastic.ops.Modulator;
import dev.metaplastic.ops.Neuromodulators;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/** The neuromodulators' constants ({@link Neuromodulators.Config}) as options. */
final class ModulatorOptions {
  /**
   * The constants by option, with the modulators whose gates read them: an option given while none
   * of its modulators acts in any condition would change nothing, so it is an error.
   */
  private static final Map<String, Set<Modulator>> READERS =
      Map.of(
          "--fast-rate", EnumSet.of(Modulator.NORADRENALINE),
          "--slow-rate", EnumSet.of(Modulator.NORADRENALINE, Modulator.ACETYLCHOLINE),
          "--na-gain", EnumSet.of(Modulator.NORADRENALINE),
          "--na-reset", EnumSet.of(Modulator.NORADRENALINE),
          "--ach-slope", EnumSet.of(Modulator.ACETYLCHOLINE),
          "--5ht-rate", EnumSet.of(Modulator.SEROTONIN),
          "--5ht-inhibition", EnumSet.of(Modulator.SEROTONIN));

  @Option(
      names = "--fast-rate",
      defaultValue = "0.5",
      description = "beta_fast of NA's recent error. Default: ${DEFAULT-VALUE}.")
  double fastRate;

  @Option(
      names = "--slow-rate",
      defaultValue = "0.05",
      description = "beta_slow of ACh's expected uncertainty. Default: ${DEFAULT-VALUE}.")
  double slowRate;

  @Option(
      names = "--na-gain",
      defaultValue = "2",
      description = "kappa_NA, NA's gain on the trace's rate. Default: ${DEFAULT-VALUE}.")
  double naGain;

  @Option(
      names = "--na-reset",
      defaultValue = "0.5",
      description =
          "rho, the share of the trace a complete surprise wipes. Default: ${DEFAULT-VALUE}.")
  double naReset;

  @Option(
      names = "--ach-slope",
      defaultValue = "2",
      description = "kappa_ACh, ACh's discount of a new outcome. Default: ${DEFAULT-VALUE}.")
  double achSlope;

  @Option(
      names = "--5ht-rate",
      defaultValue = "0.05",
      description = "beta_5HT of 5-HT's aversive average. Default: ${DEFAULT-VALUE}.")
  double serotoninRate;

  @Option(
      names = "--5ht-inhibition",
      defaultValue = "2",
      description = "kappa_5HT, 5-HT's inhibition of the response. Default: ${DEFAULT-VALUE}.")
  double serotoninInhibition;

  /** The constants, with no modulator active. */
  Neuromodulators.Config constants() {
    return new Neuromodulators.Config(
        Modulator.parse("none"),
        fastRate,
        slowRate,
        naGain,
        naReset,
        achSlope,
        serotoninRate,
        serotoninInhibition);
  }

  /**
   * Checks that every constant given on the command line ({@code parsed}) is read by a modulator of
   * {@code acting}, the modulators of the conditions {@code conditions}.
   */
  static void checkRead(ParseResult parsed, Set<Modulator> acting, List<String> conditions) {
    READERS.forEach(
        (option, readers) ->
            checkArgument(
                !parsed.hasMatchedOption(option) || readers.stream().anyMatch(acting::contains),
                "%s is a constant of %s, which no condition of --conditions %s has",
                option,
                Modulator.describe(readers).replace("+", " or "),
                String.join(",", conditions)));
  }
}
