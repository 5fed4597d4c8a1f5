package dev.metaplastic;

import com.google.common.base.Strings;
import java.util.function.Supplier;

/**
 * Input the user can fix: a file, directory or option value that is not what was expected, or a
 * file system that refuses what was asked of it. The message names the input, what is wrong and
 * what was expected, so it is shown to the user as is, on one line.
 *
 * <p>It is an {@link IllegalArgumentException}, as the library's documented contracts say, but only
 * this subtype marks a problem of the user's input: the command line prints it as one {@code
 * error:} line with exit status 2, while any other {@code IllegalArgumentException} is a bug and
 * keeps its stack trace.
 */
public final class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message to show to the user as is. */
  public InvalidInputException(String message) {
    super(message);
  }

  /** An exception with a message to show to the user as is, and the low-level cause. */
  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Throws an {@code InvalidInputException} with the message {@code template} (in which each {@code
   * %s} takes the next argument, as Guava's {@code checkArgument} does) unless {@code valid}.
   */
  public static void check(boolean valid, String template, Object... args) {
    if (!valid) {
      throw new InvalidInputException(Strings.lenientFormat(template, args));
    }
  }

  /**
   * Builds a value from what the user gave (option values, a file's contents): an {@link
   * IllegalArgumentException} from the validation of those values becomes an {@code
   * InvalidInputException} with the message {@code where: …} ({@code where} may be empty).
   */
  public static <T> T validating(String where, Supplier<T> build) {
    try {
      return build.get();
    } catch (InvalidInputException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          where.isEmpty() ? e.getMessage() : where + ": " + e.getMessage(), e);
    }
  }
}
