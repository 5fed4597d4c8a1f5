package dev.metaplastic.data;

/**
 * A problem with input data that the user can fix, such as a missing or malformed data file.
 *
 * <p>The message names the problem, the file and what was expected, so it can be shown to the user
 * as is.
 */
public final class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a user-facing message.
   *
   * @param message what went wrong, naming the file and what was expected
   */
  public DataException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a user-facing message and the low-level cause.
   *
   * @param message what went wrong, naming the file and what was expected
   * @param cause the underlying failure, typically an {@link java.io.IOException}
   */
  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
