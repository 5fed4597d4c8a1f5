package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.files.Outputs;
import dev.metaplastic.files.StagedFile;
import dev.metaplastic.serve.CsvExamples;
import dev.metaplastic.serve.CsvPredictions;
import dev.metaplastic.serve.Predictor;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic predict DIR --input FILE [--task N] [--output FILE]}: class probabilities of
 * the examples in a CSV file ({@link CsvExamples} says what it reads), from a SavedModel's {@code
 * serving_default} signature.
 *
 * <p>Each example gives one output line ({@link CsvPredictions}). The input is read twice, in
 * chunks: once to check every line, so that a bad line stops the command before any prediction is
 * written, then to predict; memory stays bounded whatever the file's size. {@code --output} is
 * written to a temporary file renamed over it at the end ({@link StagedFile}): it holds all
 * predictions or is left as it was.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = "Predict class probabilities of CSV examples with a SavedModel.")
final class PredictCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The SavedModel directory.")
  Path model;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description =
          "CSV file: one example per line, its values separated by ',', ';' or tabs (a UTF-8 byte"
              + " order mark and a header line are skipped).")
  Path input;

  @Option(
      names = "--task",
      paramLabel = "N",
      description = "Head used for every example; required for multi-head models.")
  Integer task;

  @Option(
      names = "--output",
      paramLabel = "FILE",
      description = "Write the predictions here instead of to standard output.")
  Path output;

  @Option(
      names = "--allow-nonfinite",
      description = "Predict on NaN and infinite values too, instead of refusing them.")
  boolean allowNonFinite;

  @Override
  public Integer call() throws IOException {
    if (output != null) {
      InvalidInputException.check(
          !output.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())
              && !(Files.exists(output) && Files.exists(input) && Files.isSameFile(output, input)),
          "--output %s is the input file; write the predictions to another file",
          output);
      Outputs.checkWritable(output, "--output");
    }
    try (Predictor predictor = Predictor.open(model)) {
      checkTask(predictor);
      long count = CsvExamples.check(input, predictor.inputSize(), allowNonFinite);
      if (output == null) {
        PrintWriter out = spec.commandLine().getOut();
        CsvPredictions.write(predictor, input, task, allowNonFinite, out);
        out.flush();
        return 0;
      }
      try (StagedFile staged = StagedFile.create(output, "--output")) {
        Writer file = new OutputStreamWriter(staged.output(), StandardCharsets.UTF_8);
        CsvPredictions.write(predictor, input, task, allowNonFinite, file);
        file.flush();
        staged.commit();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write --output " + output, e);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("wrote %d predictions to %s%n", count, output);
      out.flush();
    }
    return 0;
  }

  private void checkTask(Predictor predictor) {
    if (!predictor.multiHead()) {
      InvalidInputException.check(
          task == null, "the model in %s is single-head: --task is not accepted", model);
      return;
    }
    String heads =
        predictor.heads().isPresent() ? " (" + predictor.heads().getAsInt() + " heads)" : "";
    InvalidInputException.check(
        task != null, "the model in %s is multi-head%s: give the head with --task N", model, heads);
    InvalidInputException.check(
        task >= 0 && (predictor.heads().isEmpty() || task < predictor.heads().getAsInt()),
        "--task %s is out of range: the model in %s is multi-head%s",
        task,
        model,
        heads);
  }
}
