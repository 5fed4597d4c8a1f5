package dev.metaplastic.cli;

import dev.metaplastic.InvalidInputException;
import dev.metaplastic.serve.Predictor;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code metaplastic predict DIR --input FILE [--task N] [--output FILE]}: class probabilities of
 * the examples in a CSV file, from a SavedModel's {@code serving_default} signature.
 *
 * <p>The input has one example per line, its features comma-separated; blank lines are skipped, and
 * so is a first line none of whose fields is a number (a header). Each example gives one output
 * line: the most probable class, then every class's probability with six decimals, all
 * comma-separated.
 */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = "Predict class probabilities of CSV examples with a SavedModel.")
final class PredictCommand implements Callable<Integer> {
  /** Examples per call of the predictor: bounds the size of one tensor. */
  private static final int CHUNK = 1024;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The SavedModel directory.")
  Path model;

  @Option(
      names = "--input",
      required = true,
      paramLabel = "FILE",
      description = "CSV file: one example per line, comma-separated features.")
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

  @Override
  public Integer call() throws IOException {
    try (Predictor predictor = Predictor.open(model)) {
      if (predictor.multiHead()) {
        String heads =
            predictor.heads().isPresent() ? " (" + predictor.heads().getAsInt() + " heads)" : "";
        if (task == null) {
          throw new InvalidInputException(
              "the model in " + model + " is multi-head" + heads + ": give the head with --task N");
        }
        if (task < 0 || (predictor.heads().isPresent() && task >= predictor.heads().getAsInt())) {
          throw new InvalidInputException(
              "--task "
                  + task
                  + " is out of range: the model in "
                  + model
                  + " is multi-head"
                  + heads);
        }
      } else if (task != null) {
        throw new InvalidInputException(
            "the model in " + model + " is single-head: --task is not accepted");
      }
      Examples examples = readCsv(input, predictor.inputSize());
      if (output == null) {
        PrintWriter out = spec.commandLine().getOut();
        write(predictor, examples, out);
        out.flush();
      } else {
        try (BufferedWriter file = Files.newBufferedWriter(output, StandardCharsets.UTF_8);
            PrintWriter out = new PrintWriter(file)) {
          write(predictor, examples, out);
          if (out.checkError()) {
            throw new IOException("cannot write " + output);
          }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("wrote %d predictions to %s%n", examples.count, output);
        out.flush();
      }
    }
    return 0;
  }

  private void write(Predictor predictor, Examples examples, PrintWriter out) {
    int inputSize = predictor.inputSize();
    int classes = predictor.classes();
    StringBuilder line = new StringBuilder();
    for (int start = 0; start < examples.count; start += CHUNK) {
      int count = Math.min(CHUNK, examples.count - start);
      float[] x =
          Arrays.copyOfRange(examples.features, start * inputSize, (start + count) * inputSize);
      int[] tasks = null;
      if (task != null) {
        tasks = new int[count];
        Arrays.fill(tasks, task);
      }
      float[] p = predictor.predictFlat(x, count, tasks);
      for (int i = 0; i < count; i++) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
          if (p[i * classes + c] > p[i * classes + best]) {
            best = c;
          }
        }
        line.setLength(0);
        line.append(best);
        for (int c = 0; c < classes; c++) {
          line.append(',').append(String.format(Locale.ROOT, "%.6f", p[i * classes + c]));
        }
        out.println(line);
      }
    }
  }

  /** Examples read from a CSV file, row-major. */
  private record Examples(float[] features, int count) {}

  /**
   * Reads a CSV file of examples with {@code inputSize} features each.
   *
   * @throws IllegalArgumentException naming the file and line when the file is missing or empty, a
   *     field is not a number, or a line has the wrong number of fields
   */
  static Examples readCsv(Path file, int inputSize) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("input file " + file + " does not exist");
    }
    float[] features = new float[inputSize * 16];
    int count = 0;
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      boolean first = true;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String[] fields = line.split(",", -1);
        if (first) {
          first = false;
          if (Arrays.stream(fields).noneMatch(PredictCommand::isNumber)) {
            continue;
          }
        }
        if (fields.length != inputSize) {
          throw new InvalidInputException(
              String.format(
                  "%s line %d has %d values, expected %d (the model's input size)",
                  file, lineNumber, fields.length, inputSize));
        }
        if ((long) (count + 1) * inputSize > features.length) {
          features = Arrays.copyOf(features, Math.multiplyExact(features.length, 2));
        }
        for (int j = 0; j < inputSize; j++) {
          String field = fields[j].strip();
          try {
            features[count * inputSize + j] = Float.parseFloat(field);
          } catch (NumberFormatException e) {
            throw new InvalidInputException(
                String.format(
                    "%s line %d, column %d: '%s' is not a number", file, lineNumber, j + 1, field),
                e);
          }
        }
        count++;
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot read input file " + file + ": " + e, e);
    }
    if (count == 0) {
      throw new InvalidInputException("input file " + file + " has no examples");
    }
    return new Examples(Arrays.copyOf(features, count * inputSize), count);
  }

  private static boolean isNumber(String field) {
    try {
      Float.parseFloat(field.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
