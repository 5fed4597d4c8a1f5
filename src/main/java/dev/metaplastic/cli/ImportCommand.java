package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.data.Examples;
import dev.metaplastic.data.FashionMnist;
import dev.metaplastic.data.StreamDescription;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.interop.ImportedModel;
import dev.metaplastic.interop.KerasImport;
import dev.metaplastic.ops.RuleConfig;
import dev.metaplastic.savedmodel.SavedModels;
import dev.metaplastic.train.ModelSession;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
 * {@code metaplastic import SOURCE DIR}: a dense Keras or TensorFlow classifier (a {@code .keras}
 * or legacy {@code .h5} file, or a SavedModel directory), read and checked by {@link
 * KerasImport#load} against its {@code serving_default} on Fashion-MNIST test images when it has
 * one (the mapping is printed), checked against Fashion-MNIST and its accuracy there recorded, then
 * written with the chosen optimizer and rule as a Metaplastic SavedModel that is a drop-in
 * replacement for the source and that {@code train --init DIR} keeps training. Nothing is written
 * if a check fails.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description =
        "Import a Python-trained dense classifier (a Keras .keras or .h5 file, or a Keras or"
            + " TensorFlow SavedModel) as a Metaplastic SavedModel that serves like the source and"
            + " keeps learning in Java.")
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin OptimizerOptions optimizer;
  @Mixin RuleOptions rules;
  @Mixin ThreadOptions threads;

  @Parameters(
      index = "0",
      paramLabel = "SOURCE",
      description =
          "The model to import: a .keras file (model.save), a legacy .h5 file, or a SavedModel"
              + " directory (model.export, tf.saved_model.save, a Keras 2 SavedModel).")
  Path source;

  @Parameters(index = "1", paramLabel = "DIR", description = "The SavedModel directory to create.")
  Path dir;

  @Option(
      names = "--rule",
      defaultValue = "si",
      completionCandidates = RuleOptions.Names.class,
      description =
          "Consolidation rule: none or one of ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  String rule;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of later training. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--data-dir",
      description =
          "Fashion-MNIST directory the model must fit (input size, classes); its test accuracy is"
              + " recorded in the manifest. Default: "
              + "/usr/share/datasets/fashion-mnist if installed, otherwise no check.")
  Path dataDir;

  @Override
  public Integer call() {
    InvalidInputException.check(
        !Files.exists(dir, LinkOption.NOFOLLOW_LINKS),
        "%s already exists; import into a new directory",
        dir);
    Outputs.checkWritable(dir, "DIR");
    List<RuleConfig> chosen = rules.rules(rule, "split", false);
    PrintWriter out = spec.commandLine().getOut();
    Path data =
        dataDir != null || !FashionMnist.isPresent(FashionMnist.DEFAULT_DIR)
            ? dataDir
            : FashionMnist.DEFAULT_DIR;
    Examples test = data == null ? null : FashionMnist.load(data).test();
    ImportedModel imported =
        InvalidInputException.validating("", () -> KerasImport.load(source, test));
    if (data != null) {
      String name = "the Fashion-MNIST test set in " + data;
      try {
        imported.checkData(test.featureSize(), 1, FashionMnist.CLASS_NAMES.size(), name);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(e.getMessage(), e);
      }
      imported = imported.withReferenceAccuracy(imported.accuracy(test), name);
    }
    out.print(imported.describe());
    if (data == null) {
      out.println("no Fashion-MNIST found: the model was not checked against data");
    }
    try (ModelSession model =
        imported.open(optimizer.config(), chosen, seed, threads.sessionOptions())) {
      StreamDescription origin =
          StreamDescription.origin("imported", "imported from " + source, source.toString());
      SavedModels.export(model, origin, dir);
    }
    out.printf("SavedModel written to %s%n", dir);
    return 0;
  }
}
