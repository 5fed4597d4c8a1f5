package dev.metaplastic.serve;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** Class probabilities of the examples of a CSV file ({@link CsvExamples}), as CSV lines. */
public final class CsvPredictions {
  /** Examples per call of the predictor: bounds the size of one tensor. */
  private static final int CHUNK = 1024;

  private CsvPredictions() {}

  /**
   * Predicts on the examples of {@code input} chunk by chunk, writing one line per example to
   * {@code out}: the most probable class, then every class's probability with six decimals, all
   * comma-separated.
   *
   * @param task the head of every example, or null for a single-head model
   * @param allowNonFinite whether NaN and infinite values are predicted on instead of refused
   */
  public static void write(
      Predictor predictor, Path input, Integer task, boolean allowNonFinite, Writer out)
      throws IOException {
    int inputSize = predictor.inputSize();
    int classes = predictor.classes();
    float[] x = new float[CHUNK * inputSize];
    int[] tasks = null;
    if (task != null) {
      tasks = new int[CHUNK];
      Arrays.fill(tasks, task);
    }
    StringBuilder line = new StringBuilder();
    try (CsvExamples examples = CsvExamples.open(input, inputSize, allowNonFinite)) {
      for (int count = examples.next(x, CHUNK); count > 0; count = examples.next(x, CHUNK)) {
        float[] p =
            predictor.predictFlat(
                count == CHUNK ? x : Arrays.copyOf(x, count * inputSize),
                count,
                tasks == null ? null : Arrays.copyOf(tasks, count));
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
          out.write(line.append('\n').toString());
        }
      }
    }
  }
}
