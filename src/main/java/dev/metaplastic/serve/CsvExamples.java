package dev.metaplastic.serve;

import dev.metaplastic.InvalidInputException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Examples read from a CSV file in chunks, so that a file of any size is predicted on in bounded
 * memory: one example per line, {@code inputSize} numbers each.
 *
 * <p>The separator is a comma, a semicolon or a tab: the first line that is not blank decides it (a
 * semicolon if it holds one, else a tab if it holds one, else a comma); with semicolons, a decimal
 * comma ({@code 0,5}) is read as a decimal point, as spreadsheets in many locales write it. A UTF-8
 * byte order mark at the start is skipped, blank lines are skipped, and so is a first line none of
 * whose fields is a number (a header). Numbers are what {@link Float#parseFloat} reads; NaN,
 * infinities and numbers beyond float32's range are refused unless {@code allowNonFinite}.
 *
 * <p>Bounds: a line may hold at most {@value #MAX_FIELD_CHARS} characters per value ({@link
 * #maxLineLength}); a longer line is refused before it is read whole. Every problem is an {@link
 * InvalidInputException} naming the file, the line and, for a value, its column.
 */
public final class CsvExamples implements AutoCloseable {
  /**
   * Characters allowed per value, separator and spaces included: a float32 needs at most 15 ({@code
   * -1.17549435E-38}), and 64 leave room for spaces and the 17 digits of a double.
   */
  public static final int MAX_FIELD_CHARS = 64;

  private static final char BOM = '\uFEFF';

  private final Path file;
  private final int inputSize;
  private final boolean allowNonFinite;
  private final Reader reader;
  private final int maxLine;
  private final char[] buffer = new char[1 << 16];
  private final StringBuilder line = new StringBuilder();
  private int position;
  private int limit;
  private long lineNumber;
  private char separator;
  private boolean started;

  private CsvExamples(Path file, int inputSize, boolean allowNonFinite, Reader reader) {
    this.file = file;
    this.inputSize = inputSize;
    this.allowNonFinite = allowNonFinite;
    this.reader = reader;
    this.maxLine = maxLineLength(inputSize);
  }

  /**
   * Opens a CSV file of examples with {@code inputSize} values each.
   *
   * @throws InvalidInputException if the file does not exist or is not a regular file
   * @throws UncheckedIOException if it cannot be opened
   */
  public static CsvExamples open(Path file, int inputSize, boolean allowNonFinite) {
    InvalidInputException.check(Files.exists(file), "input file %s does not exist", file);
    InvalidInputException.check(
        Files.isRegularFile(file), "input file %s is not a regular file", file);
    try {
      Reader reader =
          new InputStreamReader(
              Files.newInputStream(file),
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT));
      return new CsvExamples(file, inputSize, allowNonFinite, reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read input file " + file, e);
    }
  }

  /**
   * Reads every example of a file to check it, keeping none; returns how many there are.
   *
   * @throws InvalidInputException at the first problem, or if the file holds no example
   */
  public static long check(Path file, int inputSize, boolean allowNonFinite) {
    long count = 0;
    float[] row = new float[inputSize];
    try (CsvExamples examples = open(file, inputSize, allowNonFinite)) {
      for (int n = examples.next(row, 1); n > 0; n = examples.next(row, 1)) {
        count++;
      }
    }
    InvalidInputException.check(count > 0, "input file %s has no examples", file);
    return count;
  }

  /** The longest line accepted for {@code inputSize} values: {@value #MAX_FIELD_CHARS} each. */
  public static int maxLineLength(int inputSize) {
    return (int) Math.min(Integer.MAX_VALUE - 8, (long) inputSize * MAX_FIELD_CHARS);
  }

  /**
   * Reads up to {@code max} examples into {@code features}, row after row.
   *
   * @return how many were read; 0 at the end of the file
   * @throws InvalidInputException naming the line at the first problem
   */
  public int next(float[] features, int max) {
    int count = 0;
    while (count < max && readLine()) {
      if (line.toString().isBlank()) {
        continue;
      }
      String text = line.toString();
      if (!started) {
        started = true;
        separator = text.indexOf(';') >= 0 ? ';' : text.indexOf('\t') >= 0 ? '\t' : ',';
        if (isHeader(text)) {
          continue;
        }
      }
      parse(text, features, count * inputSize);
      count++;
    }
    return count;
  }

  private boolean isHeader(String text) {
    for (String field : text.split(String.valueOf(separator), -1)) {
      if (number(field) != null) {
        return false;
      }
    }
    return true;
  }

  private void parse(String text, float[] features, int offset) {
    String[] fields = text.split(String.valueOf(separator), -1);
    if (fields.length != inputSize) {
      throw new InvalidInputException(
          String.format(
              "%s line %d has %d values%s, expected %d (the model's input size)%s",
              file,
              lineNumber,
              fields.length,
              separator == ',' ? "" : " separated by " + separatorName(separator),
              inputSize,
              otherSeparators(text)));
    }
    for (int j = 0; j < inputSize; j++) {
      Float value = number(fields[j]);
      if (value == null) {
        throw new InvalidInputException(
            String.format(
                "%s line %d, column %d: '%s' is not a number",
                file, lineNumber, j + 1, visible(fields[j].strip())));
      }
      if (!allowNonFinite && !Float.isFinite(value)) {
        throw new InvalidInputException(
            String.format(
                "%s line %d, column %d: %s is %s; pass --allow-nonfinite to predict on it anyway",
                file,
                lineNumber,
                j + 1,
                fields[j].strip(),
                isNonFiniteLiteral(fields[j])
                    ? "not a finite number"
                    : "beyond float32's range (±3.4E38)"));
      }
      features[offset + j] = value;
    }
  }

  private Float number(String field) {
    String text = field.strip();
    if (separator == ';') {
      text = text.replace(',', '.');
    }
    try {
      return Float.parseFloat(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isNonFiniteLiteral(String field) {
    String lower = field.toLowerCase(Locale.ROOT);
    return lower.contains("nan") || lower.contains("inf");
  }

  private static String separatorName(char separator) {
    return switch (separator) {
      case ';' -> "';'";
      case '\t' -> "tabs";
      default -> "','";
    };
  }

  /** A hint when a line holds a separator other than the one the first line chose. */
  private String otherSeparators(String text) {
    for (char candidate : new char[] {',', ';', '\t'}) {
      if (candidate != separator && text.indexOf(candidate) >= 0) {
        return String.format(
            "; it also holds %s, but the first line chose %s",
            separatorName(candidate), separatorName(separator));
      }
    }
    return "";
  }

  /** The text with invisible and control characters written as {@code \\uXXXX}. */
  private static String visible(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)
                  || Character.getType(c) == Character.FORMAT
                  || Character.isWhitespace(c) && c != ' ') {
                out.append(String.format("\\u%04X", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  /**
   * Reads the next line into {@link #line}, without its end ({@code \n} or {@code \r\n}).
   *
   * @return false at the end of the file
   */
  private boolean readLine() {
    line.setLength(0);
    boolean any = false;
    try {
      while (true) {
        if (position == limit) {
          limit = reader.read(buffer, 0, buffer.length);
          position = 0;
          if (limit <= 0) {
            limit = 0;
            break;
          }
        }
        any = true;
        char c = buffer[position++];
        if (c == '\n') {
          break;
        }
        if (line.length() >= maxLine) {
          throw new InvalidInputException(
              String.format(
                  "%s line %d is longer than %d characters: the model takes %d values, at most %d"
                      + " characters each",
                  file, lineNumber + 1, maxLine, inputSize, MAX_FIELD_CHARS));
        }
        line.append(c);
      }
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(
          String.format("%s is not UTF-8 text (line %d)", file, lineNumber + 1), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read input file " + file, e);
    }
    if (!any) {
      return false;
    }
    lineNumber++;
    if (lineNumber == 1 && line.length() > 0 && line.charAt(0) == BOM) {
      line.deleteCharAt(0);
    }
    if (line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
      line.setLength(line.length() - 1);
    }
    return true;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      // Reading is done; nothing was written.
    }
  }
}
