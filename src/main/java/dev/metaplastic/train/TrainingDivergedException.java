package dev.metaplastic.train;

/** Training produced a loss that is not a finite number; the message says where and what to try. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message for the user. */
  public TrainingDivergedException(String message) {
    super(message);
  }
}
