package dev.metaplastic.cli;

import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.ops.SynapticIntelligence;
import java.util.List;
import picocli.CommandLine.Option;

/** The hyperparameters of the consolidation rules: SI's {@code --c} and {@code --xi}. */
final class RuleOptions {
  @Option(
      names = "--c",
      description = "SI strength c. Default: 1.0 on split streams, 0.1 on permuted streams.")
  Double c;

  @Option(
      names = "--xi",
      description = "SI damping xi. Default: 0.001 on split streams, 0.1 on permuted streams.")
  Double xi;

  /** SI with the paper's defaults for the stream, overridden by --c and --xi. */
  SynapticIntelligence.Config synapticIntelligence(String stream) {
    SynapticIntelligence.Config defaults =
        stream.equals("permuted")
            ? SynapticIntelligence.Config.PERMUTED
            : SynapticIntelligence.Config.SPLIT;
    return new SynapticIntelligence.Config(
        c == null ? defaults.c() : c, xi == null ? defaults.xi() : xi);
  }

  /** The rule named on the command line (si or none), with the defaults of {@code stream}. */
  List<RuleConfig> rules(String rule, String stream) {
    return switch (rule) {
      case "si" -> List.of(synapticIntelligence(stream));
      case "none" -> List.of();
      default ->
          throw new IllegalArgumentException("unknown rule '" + rule + "'; expected si or none");
    };
  }
}
