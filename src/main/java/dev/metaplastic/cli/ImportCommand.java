package dev.metaplastic.cli;

import dev.metaplastic.graphs.proto.DataStream;
import dev.metaplastic.interop.KerasImport;
import dev.metaplastic.interop.SavedModelInfo;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.ModelSession;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic import SOURCE DIR}: the dense layers of a Keras or TensorFlow SavedModel,
 * mapped by name and shape onto a Metaplastic MLP with the chosen optimizer and rule, written as a
 * Metaplastic SavedModel that {@code train --init DIR} keeps training.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description =
        "Import a Python-trained dense model (Keras or TensorFlow SavedModel) as a Metaplastic"
            + " SavedModel, to keep learning in Java.")
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OptimizerOptions optimizer;
  @Mixin RuleOptions rules;

  @Parameters(index = "0", paramLabel = "SOURCE", description = "The SavedModel to import.")
  Path source;

  @Parameters(index = "1", paramLabel = "DIR", description = "The SavedModel directory to create.")
  Path dir;

  @Option(
      names = "--rule",
      defaultValue = "si",
      description =
          "Consolidation rule: none or one of "
              + RuleOptions.CLI_NAMES
              + ". Default: ${DEFAULT-VALUE}.")
  String rule;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of later training. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() {
    if (Files.exists(dir)) {
      throw new IllegalArgumentException(dir + " already exists; import into a new directory");
    }
    List<RuleConfig> chosen = rules.rules(rule, "split", false);
    PrintWriter out = spec.commandLine().getOut();
    try (SavedModelInfo info = SavedModelInfo.open(source)) {
      KerasImport plan = KerasImport.plan(info);
      out.println(plan.describe());
      try (ModelSession model = new ModelSession(plan.spec(seed), optimizer.config(), chosen)) {
        plan.copyInto(model);
        DataStream origin =
            DataStream.newBuilder()
                .setKind("imported")
                .setName("imported from " + source)
                .setSource(source.toString())
                .build();
        SavedModels.export(model, origin, dir);
      }
    }
    out.printf("SavedModel written to %s%n", dir);
    return 0;
  }
}
